/**
 * The tab a key moves to in a tab list of `count` tabs (WAI-ARIA tabs pattern): arrows move to
 * the next or previous tab and wrap around, Home and End go to the first and the last; null for
 * any other key.
 */
export function nextTabIndex(count: number, current: number, key: string): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
