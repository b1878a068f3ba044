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

/** True when the head of the file looks like report JSON lines (cheap check, no full parse). */
function looksLikeReport(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 64 * 1024)).toString('utf8');
  return (
    /"type"\s*:\s*"(access|networkActivity)"/.test(text) ||
    /"_marker"\s*:\s*"<metadata>"/.test(text)
  );
}

export const appPrivacyReportImporter: Importer = {
  manifest: appPrivacyReportManifest,
  sniff(head) {
    return { match: looksLikeReport(head), description: describeFileHead(head) };
  },
  parse(chunks) {
    let head: Uint8Array | null = null;
    async function* capture(): AsyncGenerator<Uint8Array> {
      for await (const c of chunks) {
        if (head === null) head = c.subarray(0, 4096);
        yield c;
      }
    }
    return parseAppPrivacyReport(capture(), () => describeFileHead(head ?? new Uint8Array()));
  },
};
