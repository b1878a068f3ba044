/** The default file name of an evidence bundle for a case: `<case>-bundle.zip`, safe on every OS. */
export function defaultBundleName(caseName: string): string {
  const visible = [...caseName].map((c) => (c.charCodeAt(0) < 32 ? ' ' : c)).join('');
  const base = visible
    .replace(/\.snoopscope$/i, '')
    .replace(/[\\/:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return `${base === '' ? 'case' : base.slice(0, 200)}-bundle.zip`;
}

/** App identifiers typed as a comma- or line-separated list, trimmed, without blanks or repeats. */
export function parseAppList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const id = part.trim();
    if (id !== '' && !out.includes(id)) out.push(id);
  }
  return out;
}

/** The apps to redact: those ticked in the list plus those typed, in that order, without repeats. */
export function redactedApps(selected: readonly string[], typed: string): string[] {
  const out = [...new Set(selected)];
  for (const id of parseAppList(typed)) if (!out.includes(id)) out.push(id);
  return out;
}

/**
 * Why the chosen options cannot be exported together, or null: copies of the sources are the
 * original evidence byte for byte, so they cannot go with a redaction (the core refuses it too).
 */
export function bundleOptionsConflict(o: {
  redactContexts: boolean;
  redactApps: readonly string[];
  includeSources: boolean;
}): string | null {
  if (!o.includeSources || (!o.redactContexts && o.redactApps.length === 0)) return null;
  return (
    'A redacted bundle cannot include copies of the sources: they are the original evidence, ' +
    'byte for byte, and would still hold the redacted apps and contexts. Untick one of the two.'
  );
}

/** One line stating which redaction and masking choices a bundle is exported with. */
export function describeBundleOptions(o: {
  redactContexts: boolean;
  redactApps: readonly string[];
  includeSources: boolean;
  unmask: boolean;
}): string {
  const parts = [
    o.unmask ? 'identifiers UNMASKED' : 'identifiers masked',
    o.redactContexts ? 'network contexts redacted' : 'network contexts kept',
    o.redactApps.length === 0
      ? 'no apps redacted'
      : `${o.redactApps.length} app${o.redactApps.length === 1 ? '' : 's'} redacted`,
    o.includeSources ? 'copies of the sources included' : 'sources not included',
  ];
  return parts.join(' · ');
}

/** A path as one POSIX shell argument, quoted only when it needs to be. */
export function quoteArg(text: string): string {
  return /^[\w./:@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
