import { maskIdentifier } from '../../contract/mask';
import type { Db } from '../db/open';

/** What a bundle redacts. */
export interface RedactionChoice {
  /** Blank network contexts (the web sites or pages an app's traffic served). */
  contexts: boolean;
  /** App identifiers whose identifiers and display names become `redacted-app-N` everywhere. */
  apps: string[];
}

/** What a bundle writes in place of a redacted network context. */
export const REDACTED_CONTEXT = '[redacted]';

/**
 * How every writer of a bundle (CSVs, report, manifest, Timesketch file) rewrites free text:
 * redacted apps become their alias, and device identifiers are masked unless unmasked. Fixed
 * vocabulary (categories, rule ids, states), numbers, times and hashes are never passed through
 * it, so an app whose display name is an ordinary word does not erase that word from the data.
 */
export interface Redactor {
  /** How many distinct apps are redacted. */
  readonly apps: number;
  /** Network contexts are blanked. */
  readonly contexts: boolean;
  /** Device identifiers are masked in free text. */
  readonly identifiersMasked: boolean;
  /** Free text with every redacted app (any case) replaced by its alias and identifiers masked. */
  text(text: string): string;
  /** `text` for a value that may be null. */
  maybe(text: string | null): string | null;
  /** A network context as the bundle shows it. */
  context(context: string | null): string | null;
  /** True when the text holds something `text` would rewrite (a redacted app or an identifier). */
  mentions(text: string): boolean;
  /** Every string inside a JSON-like value passed through `text` (keys too). */
  deep<T>(value: T): T;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One pass over the text for every name at once, longest first, so replacements never chain. */
function replacer(pairs: readonly (readonly [string, string])[]): {
  replace: (text: string) => string;
  test: (text: string) => boolean;
} {
  if (pairs.length === 0) return { replace: KEEP_TEXT, test: () => false };
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  // One capture group per name tells which one matched, whatever case folding made it match.
  const pattern = sorted.map(([from]) => `(${escapeRegExp(from)})`).join('|');
  const global = new RegExp(pattern, 'giu');
  const once = new RegExp(pattern, 'iu');
  return {
    replace: (text) =>
      text.replace(global, (...m: unknown[]) => {
        const group = m.slice(1, sorted.length + 1).findIndex((g) => g !== undefined);
        return sorted[group]![1];
      }),
    test: (text) => once.test(text),
  };
}

/**
 * The redaction of one bundle. Each redacted app (matched without regard to case, given twice
 * counts once) is numbered in the order given: its identifier and every display name the case
 * records for it become `redacted-app-N`, also where they occur inside longer text (a domain, a
 * context, a file name, a record id). Unless `unmask`, each device identifier the case holds is
 * replaced by its masked form wherever it occurs in free text (a path, a label).
 */
export function createRedactor(
  db: Db,
  choice: RedactionChoice,
  options: { unmask: boolean },
): Redactor {
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  const names = db.prepare(
    `SELECT DISTINCT display_name AS n FROM apps
     WHERE identifier = ? COLLATE NOCASE AND display_name IS NOT NULL AND trim(display_name) <> ''`,
  );
  let apps = 0;
  for (const raw of choice.apps) {
    const app = raw.trim();
    if (app === '' || seen.has(app.toLowerCase())) continue;
    seen.add(app.toLowerCase());
    apps += 1;
    const alias = `redacted-app-${apps}`;
    pairs.push([app, alias]);
    for (const r of names.all(app) as { n: string }[]) pairs.push([r.n.trim(), alias]);
  }
  const identifiers: [string, string][] = options.unmask
    ? []
    : (
        db
          .prepare(
            `SELECT udid AS v FROM devices UNION SELECT serial FROM devices
             UNION SELECT imei FROM devices UNION SELECT phone_number FROM devices`,
          )
          .all() as { v: string | null }[]
      )
        .map((r) => r.v?.trim() ?? '')
        .filter((v) => v !== '')
        .map((v) => [v, maskIdentifier(v)!]);
  // A name that is also an identifier is an app: its alias wins.
  const all = [...pairs, ...identifiers.filter(([v]) => !seen.has(v.toLowerCase()))];
  const r = replacer(all);
  const deep = <T>(value: T): T => {
    if (typeof value === 'string') return r.replace(value) as T;
    if (Array.isArray(value)) return value.map((v) => deep(v)) as T;
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [r.replace(k), deep(v)]),
      ) as T;
    return value;
  };
  return {
    apps,
    contexts: choice.contexts,
    identifiersMasked: !options.unmask,
    text: r.replace,
    maybe: (text) => (text === null ? null : r.replace(text)),
    context: (context) =>
      choice.contexts && context !== null && context !== '' ? REDACTED_CONTEXT : context,
    mentions: r.test,
    deep,
  };
}

/**
 * The rewrite that changes nothing, as a redactor without redaction gives it: writers can tell it
 * apart (events.csv then writes each row's id from its pieces).
 */
export const KEEP_TEXT = (text: string): string => text;

/** A redactor that changes nothing: for exports without redaction and identifiers shown in full. */
export const NO_REDACTION: Redactor = {
  apps: 0,
  contexts: false,
  identifiersMasked: false,
  text: KEEP_TEXT,
  maybe: (t) => t,
  context: (c) => c,
  mentions: () => false,
  deep: (v) => v,
};
