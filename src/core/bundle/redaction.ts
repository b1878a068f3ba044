import type { Db } from '../db/open';

/**
 * The replacements of a bundle's app redaction: each redacted identifier, and its display name
 * where the case knows one, becomes `redacted-app-N` (N in the order the apps were given), so the
 * CSVs, the manifest and the report all use the same alias for one app.
 */
export function appAliases(db: Db, apps: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  const displayName = db.prepare(
    'SELECT display_name AS n FROM apps WHERE identifier = ? AND display_name IS NOT NULL',
  );
  apps.forEach((app, i) => {
    aliases.set(app, `redacted-app-${i + 1}`);
    const n = (displayName.get(app) as { n: string } | undefined)?.n;
    if (n) aliases.set(n, `redacted-app-${i + 1}`);
  });
  return aliases;
}

/** Text with every redacted identifier and display name replaced by its alias. */
export function scrubText(text: string, aliases: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [from, to] of aliases) out = out.split(from).join(to);
  return out;
}
