import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ZipError } from '../../formats/zip/index';
import { EvidenceFileError, describeFileKind } from '../evidence-file';
import {
  AndroidInputError,
  CORE_SERVICES,
  Collector,
  DEFAULT_ANDROID_SERVICES,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_SECTION_CHARS,
  MAX_IGNORED_LISTED,
  errorText,
  type AndroidDeviceProperties,
  type AndroidInput,
  type AndroidInputKind,
  type AndroidInputOptions,
  type CaptureSource,
} from './input/collector';
import { readFolder } from './input/folder';
import { readFileInput } from './input/zip';
import { DumpTooLargeError } from './sections';

export {
  AndroidInputError,
  DEFAULT_ANDROID_SERVICES,
  type AndroidDeviceProperties,
  type AndroidInput,
  type AndroidInputFile,
  type AndroidInputKind,
  type AndroidInputOptions,
  type AndroidInputSection,
  type AndroidSectionStream,
} from './input/collector';

// Recognises what an examiner hands over for an Android phone and returns the dumpsys
// sections the parsers need (android-sources.md §6 bugreport zip, §7 AndroidQF output, §10
// what to record per capture). Evidence is opened read-only; nothing is written anywhere.

export async function readAndroidInput(
  path: string,
  options: AndroidInputOptions = {},
): Promise<AndroidInput> {
  const c = new Collector(
    new Set(options.services ?? DEFAULT_ANDROID_SERVICES),
    options.maxSectionChars ?? DEFAULT_MAX_SECTION_CHARS,
    options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    options.stream ?? null,
    options.factsOnly === true && options.stream !== undefined,
    new Set(options.passOver ?? []),
    options.passOverMainTexts === true && options.stream !== undefined,
  );
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new AndroidInputError(`${path} cannot be opened: ${errorText(err)}.`);
  }
  let kind: AndroidInputKind;
  try {
    if (info.isDirectory()) kind = await readFolder(path, c, options);
    else if (info.isFile()) kind = await readFileInput(path, info.size, c, options);
    else
      throw new AndroidInputError(
        `${path} is ${describeFileKind(info)}, neither a file nor a folder; it was not opened.`,
      );
  } catch (err) {
    if (err instanceof AndroidInputError) throw err;
    // A file that changed into something else between the listing and the reading.
    if (err instanceof EvidenceFileError) throw new AndroidInputError(err.message);
    if (err instanceof ZipError || err instanceof DumpTooLargeError) {
      throw new AndroidInputError(`${basename(path)}: ${err.message}`);
    }
    throw err;
  }
  return finish(kind, c);
}

const CAPTURE_ORDER: Record<'bugreport' | 'androidqf', CaptureSource[]> = {
  bugreport: ['dumpstate', 'completed', 'started', 'end-line'],
  androidqf: ['completed', 'started', 'dumpstate', 'end-line'],
};

function finish(kind: AndroidInputKind, c: Collector): AndroidInput {
  const found: string[] = [];
  for (const s of c.sections) if (!found.includes(s.service)) found.push(s.service);
  const missing = CORE_SERVICES.filter((s) => !found.includes(s));
  const order = CAPTURE_ORDER[kind.startsWith('androidqf') ? 'androidqf' : 'bugreport'];
  let captureTime: AndroidInput['captureTime'] = null;
  for (const k of order) {
    const candidates = c.capture.filter((x) => x.kind === k);
    // Among end lines, the appops one is the moment the main privacy source was dumped.
    const pick =
      k === 'end-line'
        ? (candidates.find((x) => x.source.endsWith('dumpsys appops')) ?? candidates[0])
        : candidates[0];
    if (pick) {
      captureTime = { text: pick.text, source: pick.source };
      break;
    }
  }
  const getprop = c.sections.find((s) => s.service === 'getprop');
  return {
    kind,
    files: c.files,
    sections: c.sections,
    found,
    missing,
    captureTime,
    header: c.header,
    properties: readProperties(getprop?.text ?? ''),
    ignored:
      c.ignored.length > MAX_IGNORED_LISTED
        ? [
            ...c.ignored.slice(0, MAX_IGNORED_LISTED),
            `… and ${c.ignored.length - MAX_IGNORED_LISTED} more`,
          ]
        : c.ignored,
    problems: c.problems,
  };
}

function readProperties(text: string): AndroidDeviceProperties {
  const props = new Map<string, string>();
  for (const m of text.matchAll(/^\[([^\]]+)\]: \[(.*)\]\s*$/gm)) props.set(m[1]!, m[2]!);
  const get = (key: string) => {
    const v = props.get(key);
    return v === undefined || v === '' ? null : v;
  };
  return {
    sdk: get('ro.build.version.sdk'),
    release: get('ro.build.version.release'),
    fingerprint: get('ro.build.fingerprint'),
    manufacturer: get('ro.product.manufacturer'),
    model: get('ro.product.model'),
    timeZone: get('persist.sys.timezone'),
  };
}
