/** Where an Escape key press happened in the open case, and what is open there. */
export interface EscapeContext {
  /** The key press is inside a modal dialog: the dialog closes itself (its `cancel` event). */
  inDialog: boolean;
  /** The key press is in a multi-line text field: Escape there must not throw away a draft. */
  inTextArea: boolean;
  /** An input method is composing text: Escape cancels the composition, nothing else. */
  composing: boolean;
  /** The key press is inside the filter panel. */
  inFilters: boolean;
  /** The filter panel is a panel that was opened (narrow windows), not a fixed column. */
  filtersArePanel: boolean;
  /** The filter panel is shown. */
  filtersShown: boolean;
  /** A session or record is shown in the details panel. */
  detailsOpen: boolean;
}

/**
 * What an Escape key press closes in the open case: the filter panel when the press is inside it
 * and it was opened as a panel, else the details panel when one is open, else nothing.
 */
export function escapeAction(c: EscapeContext): 'filters' | 'details' | null {
  if (c.inDialog || c.inTextArea || c.composing) return null;
  if (c.inFilters && c.filtersArePanel && c.filtersShown) return 'filters';
  if (c.detailsOpen) return 'details';
  return null;
}
