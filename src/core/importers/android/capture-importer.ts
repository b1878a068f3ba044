// The Android capture container: a bugreport zip, an AndroidQF folder or zip, a folder of dumpsys
// outputs or a Snoopscope adb capture folder. A zip is one source and is read here; a folder
// gives one member per file read, each parsed by the dumpsys importer with the capture's clock.
import { basename, join } from 'node:path';
import { openZip } from '../../formats/zip/index';
import { EvidenceFolder } from '../evidence-file';
import type {
  Importer,
  ParseContext,
  ParseItem,
  SniffProbe,
  SniffResult,
  SourceInput,
} from '../importer';
import { isIanaTimeZone } from '../../../contract/time';
import {
  ContextPass,
  chooseClock,
  type CaptureJson,
  deviceRecord,
  factsOf,
  incompleteCaptureNote,
  readCaptureJson,
} from './capture-context';
import { withoutRelativeTime } from './clock';
import {
  AndroidInputError,
  DEFAULT_ANDROID_SERVICES,
  readAndroidInput,
  type AndroidInput,
} from './input';
import { CORE_SERVICES } from './input/collector';
import { androidManifest } from './manifest';
import {
  checkExaminerZone,
  inputNotes,
  lacksNote,
  zoneRequired,
  type AndroidMemberHints,
  type MainTextReport,
} from './read-capture';
import { captureNote } from './records';
import { ANDROID_DUMPSYS_ID } from './dumpsys-importer';

// Names of bugreport and AndroidQF entries; dumpstate writes FS/ and proto/ entries first.
const ZIP_NAMES = [
  'main_entry.txt',
  'FS/',
  'proto/',
  'version.txt',
  'bugreport-',
  'dumpstate',
  'acquisition.json',
  'dumpsys.txt',
  'getprop.txt',
  'packages.json',
];

/** What the container looks at in a folder listing, strongest first. */
const FOLDER_MARKS: [RegExp, number, string][] = [
  [/^capture\.json$/, 0.95, 'a Snoopscope adb capture (capture.json)'],
  [/^main_entry\.txt$|^bugreport-.*\.txt$/, 0.95, 'an extracted bugreport (main_entry.txt)'],
  [/^acquisition\.json$|^dumpsys\.txt$|^packages\.json$/, 0.9, 'AndroidQF output'],
  [/^(appops|usagestats|package|getprop|batterystats)\.txt$/, 0.8, 'dumpsys or getprop outputs'],
];

function sniffCapture(probe: SniffProbe): SniffResult {
  if (probe.kind === 'folder') {
    if (probe.entries.includes('Manifest.db') || probe.entries.includes('Manifest.plist'))
      return { confidence: 0, reason: 'an iPhone backup (Manifest.db), not an Android capture' };
    for (const [mark, confidence, what] of FOLDER_MARKS) {
      const hit = probe.entries.find((e) => mark.test(e));
      if (hit) return { confidence, reason: `${what}: ${hit}` };
    }
    if (probe.entries.some((e) => e.toLowerCase().endsWith('.txt')))
      return { confidence: 0.3, reason: 'a folder of text files, possibly dumpsys outputs' };
    return {
      confidence: 0,
      reason: 'no capture.json, main_entry.txt, acquisition.json, dumpsys.txt or *.txt output',
    };
  }
  const head = Buffer.from(probe.head);
  const ascii = head.subarray(0, 64).toString('latin1');
  if (probe.name.toLowerCase().endsWith('.age') || ascii.startsWith('age-encryption.org/'))
    // Read to say how to decrypt it (AndroidQF archives encrypted with age).
    return { confidence: 0.5, reason: 'an age-encrypted archive (AndroidQF writes these)' };
  if (!ascii.startsWith('PK\x03\x04') && !ascii.startsWith('PK\x05\x06'))
    return { confidence: 0, reason: 'not a zip archive or capture folder' };
  const text = head.toString('latin1');
  const hit = ZIP_NAMES.find((n) => text.includes(n));
  if (hit) return { confidence: 0.9, reason: `a zip archive holding ${hit}` };
  // Below the pipeline's bar: a zip of something else is "not recognised", by every importer.
  return {
    confidence: 0.2,
    reason: 'a zip archive whose first entries name no bugreport or AndroidQF file',
  };
}

// A member file's bytes: a file of the folder, or an entry of a bugreport zip inside it.
function memberSource(dir: string, name: string, size: number, sha256: string | null): SourceInput {
  const bang = name.indexOf('!/');
  return {
    kind: 'file',
    path: join(dir, name),
    name,
    size,
    locator: name,
    sha256,
    async *chunks() {
      if (bang < 0) {
        const opened = await (await EvidenceFolder.at(dir)).open(name);
        try {
          for await (const chunk of opened.handle.createReadStream({ autoClose: false }))
            yield chunk as Buffer;
        } finally {
          await opened.handle.close();
        }
        return;
      }
      const zip = await openZip(join(dir, name.slice(0, bang)));
      try {
        const entry = zip.findEntry(name.slice(bang + 2));
        if (!entry) throw new AndroidInputError(`${name} is no longer in its archive.`);
        yield* zip.openEntryStream(entry);
      } finally {
        await zip.close();
      }
    },
  };
}

/**
 * The single-command outputs the first read of a folder leaves to their one read as members:
 * every one but getprop, and app ops too unless the clock may have to be derived from them (no
 * zone from the examiner or capture.json: then getprop alone decides, and it may hold none).
 */
function passedOver(ctx: ParseContext, capture: CaptureJson | null): string[] {
  return ['usagestats', 'package', 'batterystats', ...(zoneKnown(ctx, capture) ? ['appops'] : [])];
}

/** Whether the examiner or capture.json gives a zone, so no app-op line is needed for the clock. */
function zoneKnown(ctx: ParseContext, capture: CaptureJson | null): boolean {
  return (
    ctx.timeZone !== undefined || (capture?.timeZone ? isIanaTimeZone(capture.timeZone) : false)
  );
}

/** What the reads of a folder's listed main texts found, for the notes and the capture time. */
class MainTexts implements MainTextReport {
  readonly services: string[] = [];
  captureTime: AndroidInput['captureTime'] = null;
  reported = 0;

  found(services: string[], captureTime: AndroidInput['captureTime']): void {
    this.reported += 1;
    for (const s of services) if (!this.services.includes(s)) this.services.push(s);
    this.captureTime ??= captureTime;
  }
}

/**
 * The note on what a folder whose main texts were read as members lacks, as a read of the whole
 * folder words it; null when it lacks nothing, or when a main text was not read to its end (what
 * it holds is then unknown).
 */
function missingNote(input: AndroidInput, main: MainTexts): string | null {
  if (main.reported < input.files.filter((f) => f.mainText).length) return null;
  const found: string[] = [];
  for (const f of input.files) {
    const services = f.mainText
      ? main.services
      : input.sections.filter((s) => s.origin === f.name).map((s) => s.service);
    for (const s of services) if (!found.includes(s)) found.push(s);
  }
  const missing = CORE_SERVICES.filter((s) => !found.includes(s));
  return missing.length > 0 ? lacksNote(found, missing) : null;
}

/** A capture folder: its context first, then one member per file whose sections are read. */
async function* parseFolder(source: SourceInput, ctx: ParseContext): AsyncGenerator<ParseItem[]> {
  const dir = source.path;
  checkExaminerZone(ctx.timeZone);
  const captureProblems: string[] = [];
  const capture = await readCaptureJson(dir, captureProblems);
  if (capture?.status === 'failed' || capture?.status === 'cancelled')
    captureProblems.push(await incompleteCaptureNote(dir, capture.status));
  for (const w of capture?.warnings ?? []) captureProblems.push(`capture.json: ${w}`);
  const captureMs = capture?.hostTimeMs ?? null;
  const pass = new ContextPass(captureMs);
  let input: AndroidInput;
  try {
    input = await readAndroidInput(dir, {
      stream: pass,
      passOver: passedOver(ctx, capture),
      // A main text is split once, as a member, unless its app-op lines may have to give the clock.
      passOverMainTexts: pass.votes === null || zoneKnown(ctx, capture),
    });
  } catch (e) {
    if (e instanceof AndroidInputError) {
      yield [{ type: 'refusal', message: e.message }];
      return;
    }
    throw e;
  }
  const facts = factsOf(pass);
  const choice = chooseClock(ctx.timeZone, facts, capture, pass.votes) ?? zoneRequired();
  const listed = input.files.some((f) => f.mainText);
  // Without its main texts, the first read cannot say what the capture lacks: that note follows them.
  const notes = listed ? [...input.problems] : inputNotes(input);
  notes.push(...captureProblems);
  if (choice.note) notes.push(choice.note);
  // The notes are about the whole capture: the pipeline puts them first on its first outcome.
  yield [
    deviceRecord(facts, capture?.serial ?? facts.serial, choice.clock),
    ...notes.map((m) => captureNote(null, basename(dir), m)),
  ];
  const main = new MainTexts();
  // Main texts first: the capture time one prints is then known when the other files are read.
  const files = [
    ...input.files.filter((f) => f.mainText),
    ...input.files.filter((f) => !f.mainText),
  ];
  for (const f of files) {
    const sections = input.sections.filter((s) => s.origin === f.name);
    if (sections.length === 0 && !f.mainText) continue;
    // A section on line 1 is a whole file (a split section starts after its header line).
    const only = sections.length === 1 ? sections[0]! : null;
    const hints: AndroidMemberHints = {
      clock: choice.clock,
      captureMs,
      captureTime: input.captureTime ?? main.captureTime,
      origin: f.name,
      services: f.mainText
        ? [...DEFAULT_ANDROID_SERVICES]
        : [...new Set(sections.map((s) => s.service))],
      whole: only !== null && only.startLine === 1 ? only.service : null,
      linesNoted: f.sha256 !== null,
      ...(f.mainText ? { mainText: main } : {}),
    };
    yield [
      {
        type: 'member',
        source: memberSource(dir, f.name, f.size, f.sha256),
        importer: ANDROID_DUMPSYS_ID,
        hints: { android: hints },
        capturedAtMs: captureMs,
      },
    ];
  }
  const missing = listed ? missingNote(input, main) : null;
  if (missing !== null) yield [captureNote(null, basename(dir), missing)];
}

/**
 * A zip is one source: the dumpsys importer reads it whole (it reads any capture file that comes
 * without its container's clock), so every Android source is stored by that one importer.
 */
async function* zipAsMember(source: SourceInput): AsyncGenerator<ParseItem[]> {
  yield [{ type: 'member', source, importer: ANDROID_DUMPSYS_ID }];
}

/** The Android capture container importer. */
export const androidCaptureImporter: Importer = {
  manifest: {
    ...androidManifest,
    id: 'android-capture',
    name: 'Android capture (bugreport zip, AndroidQF, dumpsys folder, adb capture)',
  },
  accepts: {
    input: 'file-or-folder',
    extensions: ['zip'],
    looksFor:
      'an Android bugreport or AndroidQF zip, or a capture folder (capture.json, acquisition.json, dumpsys outputs)',
  },
  sniff: sniffCapture,
  matchLine: withoutRelativeTime,
  parse(source, ctx) {
    return source.kind === 'folder' ? parseFolder(source, ctx) : zipAsMember(source);
  },
};
