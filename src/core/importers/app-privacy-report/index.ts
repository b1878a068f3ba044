import type { Importer, ImporterManifest } from '../importer';
import { describeFileHead } from '../describe-file';
import { parseAppPrivacyReport } from './parse';

export const appPrivacyReportManifest: ImporterManifest = {
  id: 'ios-app-privacy-report',
  name: 'iOS App Privacy Report (NDJSON export)',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'The file saved from Settings › Privacy & Security › App Privacy Report › Save App Activity: ' +
    'release NDJSON (iOS 15.0 to 18, every field variant) and the iOS 15 beta 2 layout. ' +
    'The iOS 15 beta 1 layout is recognised and refused.',
  proves: [
    "iOS's privacy accounting recorded the named app (by bundle id) as using the named resource " +
      'category between the two timestamps of the device clock.',
    'The app was about to contact the listed domain within the export window, with the number of hits iOS counted (per export snapshot).',
  ],
  doesNotProve: [
    'What was read: no photo, contact or location is named, and accessCount is always 0.',
    'That anything was uploaded: network rows are not linked to access rows.',
    'Whether the app was in the foreground: the report has no such field; background or night is an inference from local time.',
    'User intent or misuse: an interval is consistent with an observer or prefetch.',
    'That a connection succeeded: rows are written before a content blocker may stop it.',
    'That the device clock and time zone matched the owner’s location.',
  ],
};

const MARKERS = [/"type"\s*:\s*"(access|networkActivity)"/, /"_marker"\s*:\s*"<metadata>"/];

/** True when the head of the file holds a report record or its metadata marker (no full parse). */
function looksLikeReport(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 64 * 1024)).toString('utf8');
  return MARKERS.some((m) => m.test(text));
}

// Control bytes are what a damaged first line starts with; the pattern skips them on purpose.
/* eslint-disable no-control-regex */
const JSON_START = /^[\s\x00-\x1f\uFEFF\uFFFD]*[{[]/;
/* eslint-enable no-control-regex */

/** The parser refuses a file only when none of its first this-many non-empty lines is a record. */
const JUDGED_LINES = 20;

/** True when at most one byte in ten is a control byte other than white space (text, not binary). */
function looksTextual(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control += 1;
  return control * 10 <= head.length;
}

/**
 * True when the head may still be a report whose first lines are damaged: one of its first lines
 * (the last one too, even cut off by the end of the head) starts like a JSON value after stray
 * control bytes, or the head is text that ends before the lines the parser would judge, so that
 * only reading on can tell (the parser then refuses the file by its first lines, naming them).
 */
function mayBeDamagedReport(head: Uint8Array, truncated: boolean): boolean {
  const text = Buffer.from(head).toString('utf8');
  const lines = text.split('\n');
  const cut = truncated ? lines.pop() : undefined;
  const nonEmpty = lines.filter((l) => l.trim() !== '').slice(0, JUDGED_LINES);
  if (nonEmpty.some((l) => JSON_START.test(l))) return true;
  if (cut !== undefined && JSON_START.test(cut)) return true;
  return truncated && nonEmpty.length < JUDGED_LINES && looksTextual(head);
}

export const appPrivacyReportImporter: Importer = {
  manifest: appPrivacyReportManifest,
  accepts: {
    input: 'file',
    extensions: ['ndjson', 'json', 'txt'],
    looksFor: 'an App Privacy Report (JSON lines with "type":"access" or "type":"networkActivity")',
  },
  sniff(probe) {
    if (probe.kind !== 'file') return { confidence: 0, reason: 'a folder, not a report file' };
    if (looksLikeReport(probe.head))
      return { confidence: 0.95, reason: 'JSON lines with App Privacy Report records' };
    // Lines that parse as JSON but whose first records are not recognisable: the parser reads
    // them and refuses only when none of the first lines is a record, naming each line's problem.
    if (mayBeDamagedReport(probe.head, probe.size > probe.head.length))
      return { confidence: 0.3, reason: 'lines that may be a damaged report' };
    return { confidence: 0, reason: `it looks like ${describeFileHead(probe.head)}` };
  },
  parse(source) {
    let head: Uint8Array | null = null;
    async function* capture(): AsyncGenerator<Uint8Array> {
      for await (const c of source.chunks()) {
        if (head === null) head = c.subarray(0, 4096);
        yield c;
      }
    }
    return parseAppPrivacyReport(capture(), () => describeFileHead(head ?? new Uint8Array()));
  },
};
