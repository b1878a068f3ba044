import { describe, expect, it } from 'vitest';
import { escapeAction, type EscapeContext } from './escape';

const base: EscapeContext = {
  inDialog: false,
  inTextArea: false,
  composing: false,
  inFilters: false,
  filtersArePanel: false,
  filtersShown: true,
  detailsOpen: false,
};

describe('escapeAction', () => {
  it('closes the details panel from anywhere in the case', () => {
    expect(escapeAction({ ...base, detailsOpen: true })).toBe('details');
    expect(escapeAction({ ...base, detailsOpen: true, inFilters: true })).toBe('details');
  });

  it('closes the filter panel first when the press is inside it and it was opened as a panel', () => {
    const c = { ...base, inFilters: true, filtersArePanel: true, detailsOpen: true };
    expect(escapeAction(c)).toBe('filters');
    expect(escapeAction({ ...c, filtersShown: false })).toBe('details');
  });

  it('leaves the fixed filter column of a wide window alone', () => {
    expect(escapeAction({ ...base, inFilters: true })).toBeNull();
  });

  it('leaves dialogs, text areas and input methods to themselves', () => {
    const open = { ...base, detailsOpen: true, inFilters: true, filtersArePanel: true };
    expect(escapeAction({ ...open, inDialog: true })).toBeNull();
    expect(escapeAction({ ...open, inTextArea: true })).toBeNull();
    expect(escapeAction({ ...open, composing: true })).toBeNull();
  });

  it('does nothing when nothing is open', () => {
    expect(escapeAction(base)).toBeNull();
  });
});
