/** Labels for people from keys written for code (`busiestNightSessions`, `night-access`). */

/**
 * A code-style key in words: `busiestNightSessions` → "Busiest night sessions",
 * `medianGapSeconds` → "Median gap seconds", `night-access` → "Night access".
 */
export function wordsOfKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
