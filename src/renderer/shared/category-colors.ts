import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../contract/categories';

/** One colour per category, shared by the timeline, filters and legends. */
export const CATEGORY_COLORS: Record<Category, string> = {
  photos: '#d97706',
  camera: '#dc2626',
  microphone: '#7c3aed',
  contacts: '#0891b2',
  location: '#16a34a',
  mediaLibrary: '#db2777',
  screenRecording: '#ea580c',
  calendar: '#2563eb',
  callLog: '#0d9488',
  sms: '#65a30d',
  phoneState: '#64748b',
  bodySensors: '#9333ea',
  other: '#78716c',
};

/** The colour of a category. */
export function categoryColor(category: Category): string {
  return CATEGORY_COLORS[category];
}

/** The display name of a category. */
export function categoryLabel(category: Category): string {
  return CATEGORY_LABELS[category];
}

/** Categories in their canonical order. */
export function orderedCategories(present: Iterable<Category>): Category[] {
  const set = new Set(present);
  return CATEGORIES.filter((c) => set.has(c));
}

/** `#rrggbb` to `rgba(r,g,b,a)`. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const a = Math.max(0, Math.min(1, alpha));
  return `rgba(${parseInt(m[1] ?? '0', 16)},${parseInt(m[2] ?? '0', 16)},${parseInt(m[3] ?? '0', 16)},${a.toFixed(3)})`;
}
