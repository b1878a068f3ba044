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

/**
 * True when the head may still be a report whose first lines are damaged: one of its first
 * complete lines starts like a JSON value (after stray control bytes), or its first line is
 * longer than the head, so that no line of it can be judged from the head alone.
 */
// Control bytes are what a damaged first line starts with; the pattern skips them on purpose.
/* eslint-disable no-control-regex */
const JSON_START = /^[\s\x00-\x1f\uFEFF\uFFFD]*[{[]/;
/* eslint-enable no-control-regex */

function mayBeDamagedReport(head: Uint8Array): boolean {
  const text = Buffer.from(head).toString('utf8');
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0) return head.length >= 64 * 1024 || JSON_START.test(text);
  const complete = text.slice(0, text.lastIndexOf('\n'));
  return complete
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 20)
    .some((l) => JSON_START.test(l));
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
    if (mayBeDamagedReport(probe.head))
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
