import type { Category } from '../../../contract/categories';
import type { PermissionStatus } from '../../../contract/records';

/** How a permission status is drawn: the shape carries the meaning, colour only adds to it. */
export type StatusShape = 'filled' | 'hollow' | 'half' | 'dashed';

const LABELS: Record<PermissionStatus, string> = {
  granted: 'Granted',
  denied: 'Denied',
  limited: 'Limited',
  unknown: 'Undetermined',
};

/** The word shown for a status. */
export function statusLabel(status: PermissionStatus): string {
  return LABELS[status];
}

/** The glyph of a status: filled granted, hollow denied, half-filled limited, dashed undetermined. */
export function statusShape(status: PermissionStatus): StatusShape {
  switch (status) {
    case 'granted':
      return 'filled';
    case 'denied':
      return 'hollow';
    case 'limited':
      return 'half';
    case 'unknown':
      return 'dashed';
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** The tag class of a status (the stylesheet's `tag-*` tones). */
export function statusTone(
  status: PermissionStatus,
): 'tag-ok' | 'tag-bad' | 'tag-warn' | 'tag-muted' {
  switch (status) {
    case 'granted':
      return 'tag-ok';
    case 'denied':
      return 'tag-bad';
    case 'limited':
      return 'tag-warn';
    case 'unknown':
      return 'tag-muted';
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** Sort rank of a status: what an app may do first (granted, limited), then denied, then unknown. */
export function statusRank(status: PermissionStatus): number {
  switch (status) {
    case 'granted':
      return 0;
    case 'limited':
      return 1;
    case 'denied':
      return 2;
    case 'unknown':
      return 3;
    default: {
      const never: never = status;
      return never;
    }
  }
}

// Resources that expose what the owner keeps, says, sees or where they are; `other`, media
// library and phone state are left out of the "sensitive" quick filter.
const SENSITIVE: ReadonlySet<Category> = new Set<Category>([
  'photos',
  'camera',
  'microphone',
  'contacts',
  'location',
  'screenRecording',
  'calendar',
  'callLog',
  'sms',
  'bodySensors',
]);

/** True for categories the "sensitive only" toggle keeps. */
export function isSensitive(category: Category): boolean {
  return SENSITIVE.has(category);
}

/**
 * The corners of a diamond centred on (cx, cy) with half-diagonal r: top, right, bottom, left.
 * The timeline canvas and the SVG glyphs draw the same figure from it.
 */
export function diamondPoints(cx: number, cy: number, r: number): [number, number][] {
  return [
    [cx, cy - r],
    [cx + r, cy],
    [cx, cy + r],
    [cx - r, cy],
  ];
}
