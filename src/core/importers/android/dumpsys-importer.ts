// The Android dumpsys importer: one text (a bugreport main text, dumpsys.txt, or one command's
// output: appops, usagestats, package, getprop, an AndroidQF JSON or settings file) streamed into
// records. As a member of a capture folder it uses the clock its container resolved; as a file of
// its own (a text, or a bugreport or AndroidQF zip the container hands over whole) it reads the
// file's getprop for the phone and its zone first.
import type { Importer, SniffProbe, SniffResult } from '../importer';
import { withoutRelativeTime } from './clock';
import { androidManifest } from './manifest';
import { parseMember, parseWholeInput, type AndroidMemberHints } from './read-capture';
import { detectSingleDump, looksLikeDumpsysText } from './sections';

/** The dumpsys importer's id (the capture container names it for its members). */
export const ANDROID_DUMPSYS_ID = androidManifest.id;

function sniffDumpsys(probe: SniffProbe): SniffResult {
  if (probe.kind === 'folder') return { confidence: 0, reason: 'a folder, not one dumpsys text' };
  const head = Buffer.from(probe.head).toString('utf8');
  if (looksLikeDumpsysText(head))
    return { confidence: 0.9, reason: 'a "DUMP OF SERVICE" or "== dumpstate:" line' };
  const single = detectSingleDump(head);
  if (single !== null) return { confidence: 0.85, reason: `the first lines of a ${single} output` };
  return {
    confidence: 0,
    reason:
      'no "DUMP OF SERVICE" line, "Current AppOps Service state:", user=N with usage events, Packages: or [key]: [value] lines',
  };
}

/** The Android dumpsys importer. */
export const androidDumpsysImporter: Importer = {
  manifest: androidManifest,
  accepts: {
    input: 'file',
    extensions: ['txt'],
    looksFor: 'Android dumpsys or getprop output',
  },
  sniff: sniffDumpsys,
  // Two captures print the same access with other times relative to the dump.
  matchLine: withoutRelativeTime,
  parse(source, ctx) {
    const hints = ctx.hints.android as AndroidMemberHints | undefined;
    return hints ? parseMember(source, ctx, hints) : parseWholeInput(source, ctx);
  },
};
