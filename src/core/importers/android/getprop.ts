// `getprop` output (reference android-sources.md §5): `[key]: [value]` lines. The device's time
// zone (`persist.sys.timezone`) decides how every dumpsys time is read; a missing or unknown zone
// stays null and is reported, never guessed.
import { isIanaTimeZone } from '../../../contract/time';
import type { ParseResult } from './types';

type Problem = ParseResult<never>['problems'][number];

/** What `parseGetprop` returns: the properties (last value wins) and problems. */
export interface GetpropResult {
  props: Map<string, string>;
  problems: Problem[];
}

/** The device facts read from `getprop`; null where the property is absent or empty. */
export interface DeviceFacts {
  model: string | null;
  manufacturer: string | null;
  brand: string | null;
  /** `ro.build.version.release`, e.g. `14`. */
  androidVersion: string | null;
  /** `ro.build.version.sdk`, e.g. 34. */
  sdk: number | null;
  fingerprint: string | null;
  buildId: string | null;
  /** `persist.sys.timezone` when it is an IANA zone the runtime knows; otherwise null. */
  timeZone: string | null;
  /** `ro.serialno`, else `ro.boot.serialno`. */
  serial: string | null;
  problems: Problem[];
}

const ONE_LINE = /^\[([^\]]*)\]: \[(.*)\]$/;
const OPENING = /^\[([^\]]*)\]: \[(.*)$/;

/**
 * Parses `getprop` output. A value may span lines (a property holding a newline): it runs from
 * `[key]: [` to the first later line ending in `]`. Blank lines are skipped; any other line is a
 * problem. A key repeated with a different value is a problem and the later value is kept.
 */
export function parseGetprop(text: string): GetpropResult {
  const props = new Map<string, string>();
  const keyLines = new Map<string, number>();
  const problems: Problem[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));

  const store = (key: string, value: string, line: number) => {
    const previous = props.get(key);
    if (previous !== undefined && previous !== value) {
      problems.push({
        line,
        message: `[${key}] repeats line ${keyLines.get(key)} with another value ([${previous}] → [${value}]); the later value is kept.`,
      });
    }
    props.set(key, value);
    keyLines.set(key, line);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const one = ONE_LINE.exec(line);
    if (one) {
      store(one[1] ?? '', one[2] ?? '', lineNo);
      continue;
    }
    const open = OPENING.exec(line);
    if (open) {
      const parts = [open[2] ?? ''];
      let j = i + 1;
      let closed = false;
      for (; j < lines.length; j++) {
        const next = lines[j] ?? '';
        // A new property line means the value was cut off rather than continued.
        if (ONE_LINE.test(next) || OPENING.test(next)) break;
        if (next.endsWith(']')) {
          parts.push(next.slice(0, -1));
          closed = true;
          break;
        }
        parts.push(next);
      }
      if (closed) {
        store(open[1] ?? '', parts.join('\n'), lineNo);
        i = j;
      } else {
        problems.push({ line: lineNo, message: `[${open[1]}] has no closing bracket; skipped.` });
        i = j - 1;
      }
      continue;
    }
    problems.push({ line: lineNo, message: `Not a getprop line: ${line}` });
  }
  return { props, problems };
}

function first(props: ReadonlyMap<string, string>, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = props.get(key)?.trim();
    if (v !== undefined && v !== '') return v;
  }
  return null;
}

/**
 * Device facts from properties. Model, manufacturer, brand and fingerprint fall back to the
 * partition-specific properties newer releases also set (`ro.product.system.model`, …).
 * `persist.sys.timezone` is kept only when the runtime knows it as an IANA zone; a missing or
 * unknown zone gives null and a problem (times then stay device-local, with the zone unknown).
 */
export function deviceFacts(props: ReadonlyMap<string, string>): DeviceFacts {
  const problems: Problem[] = [];
  const sdkText = first(props, 'ro.build.version.sdk');
  let sdk: number | null = null;
  if (sdkText !== null) {
    if (/^\d+$/.test(sdkText)) sdk = Number(sdkText);
    else
      problems.push({ line: null, message: `ro.build.version.sdk "${sdkText}" is not a number.` });
  }
  const zoneText = first(props, 'persist.sys.timezone');
  let timeZone: string | null = null;
  if (zoneText === null) {
    problems.push({
      line: null,
      message: 'No persist.sys.timezone: the device time zone is unknown.',
    });
  } else if (isIanaTimeZone(zoneText)) {
    timeZone = zoneText;
  } else {
    problems.push({
      line: null,
      message: `persist.sys.timezone "${zoneText}" is not a known IANA time zone: the device time zone is unknown.`,
    });
  }
  return {
    model: first(props, 'ro.product.model', 'ro.product.system.model', 'ro.product.vendor.model'),
    manufacturer: first(
      props,
      'ro.product.manufacturer',
      'ro.product.system.manufacturer',
      'ro.product.vendor.manufacturer',
    ),
    brand: first(props, 'ro.product.brand', 'ro.product.system.brand', 'ro.product.vendor.brand'),
    androidVersion: first(
      props,
      'ro.build.version.release',
      'ro.build.version.release_or_codename',
    ),
    sdk,
    fingerprint: first(
      props,
      'ro.build.fingerprint',
      'ro.system.build.fingerprint',
      'ro.vendor.build.fingerprint',
    ),
    buildId: first(props, 'ro.build.id'),
    timeZone,
    serial: first(props, 'ro.serialno', 'ro.boot.serialno'),
    problems,
  };
}
