import { AppError } from './errors';

/** The value a JSON text holds, or undefined when the text is not JSON (which never holds it). */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The object a JSON text holds, or null when the text is not JSON or holds anything else. */
export function jsonObject(text: string): Record<string, unknown> | null {
  const v = parsedJson(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

/**
 * The value of a JSON column Snoopscope wrote. One that does not read means the case file was
 * changed outside Snoopscope: refused with CASE_INVALID, naming the value (`what`, e.g. "The
 * tags of the annotation on s:1:k"), rather than shown other than as recorded.
 */
export function storedJson<T>(text: string, what: () => string): T {
  const v = parsedJson(text);
  if (v === undefined)
    throw new AppError(
      'CASE_INVALID',
      `${what()} does not read as JSON: the case file was changed outside Snoopscope, so this value cannot be shown as it was recorded.`,
    );
  return v as T;
}

/** A stored list of strings (see {@link storedJson}); anything else is refused the same way. */
export function storedStrings(text: string, what: () => string): string[] {
  const v = storedJson<unknown>(text, what);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new AppError(
    'CASE_INVALID',
    `${what()} is not a list of texts: the case file was changed outside Snoopscope, so this value cannot be shown as it was recorded.`,
  );
}

/** What names a record's stored Android proxy in a refusal: "The proxy app of <id>". */
export const proxyOf = (id: string): string => `The proxy app of ${id}`;
