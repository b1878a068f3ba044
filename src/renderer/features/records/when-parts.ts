/**
 * A compact timestamp (`2024-05-01 09:00:00 +08:00`) split into its date and the rest, so that a
 * narrow table column breaks it between the two and nowhere else. A text without a date in front
 * (a time of day, a dash) is one part.
 */
export function whenParts(text: string): [string] | [string, string] {
  const m = /^(\d{4,}-\d{2}-\d{2}) (.+)$/.exec(text);
  return m?.[1] && m[2] ? [m[1], m[2]] : [text];
}
