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

/** The longest value held while its closing bracket is awaited (characters). */
const MAX_VALUE_CHARS = 1024 * 1024;
const ONE_LINE = /^\[([^\]]*)\]: \[(.*)\]$/;
const OPENING = /^\[([^\]]*)\]: \[(.*)$/;

/**
 * Reads `getprop` output line by line (see `parseGetprop`). A multi-line value is held until its
 * closing line.
 */
export class GetpropParser {
  readonly props = new Map<string, string>();
  readonly problems: Problem[] = [];
  private readonly keyLines = new Map<string, number>();
  private pending: { key: string; parts: string[]; chars: number; line: number } | null = null;

  /** With `keepProblems` false, problems are not kept (a first read that only wants the values). */
  constructor(private readonly keepProblems = true) {}

  /** Feeds one line (without its `\n`) and its 1-based number. */
  push(raw: string, lineNo: number): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const pending = this.pending;
    if (pending) {
      // A new property line means the value was cut off rather than continued.
      if (ONE_LINE.test(line) || OPENING.test(line)) {
        this.unclosed();
      } else if (pending.chars + line.length > MAX_VALUE_CHARS) {
        // No property holds a megabyte: a value that never closes is given up, not held.
        this.unclosed();
      } else if (line.endsWith(']')) {
        pending.parts.push(line.slice(0, -1));
        this.pending = null;
        this.store(pending.key, pending.parts.join('\n'), pending.line);
        return;
      } else {
        pending.parts.push(line);
        pending.chars += line.length + 1;
        return;
      }
    }
    if (line.trim() === '') return;
    const one = ONE_LINE.exec(line);
    if (one) {
      this.store(one[1] ?? '', one[2] ?? '', lineNo);
      return;
    }
    const open = OPENING.exec(line);
    if (open) {
      this.pending = {
        key: open[1] ?? '',
        parts: [open[2] ?? ''],
        chars: (open[2] ?? '').length,
        line: lineNo,
      };
      return;
    }
    this.problem({ line: lineNo, message: `Not a getprop line: ${line}` });
  }

  /** Reports a value still open; call once after the last line. */
  end(): void {
    if (this.pending) this.unclosed();
  }

  private problem(p: Problem): void {
    if (this.keepProblems) this.problems.push(p);
  }

  private unclosed(): void {
    const pending = this.pending!;
    this.pending = null;
    this.problem({
      line: pending.line,
      message: `[${pending.key}] has no closing bracket; skipped.`,
    });
  }

  private store(key: string, value: string, line: number): void {
    const previous = this.props.get(key);
    if (previous !== undefined && previous !== value) {
      this.problem({
        line,
        message: `[${key}] repeats line ${this.keyLines.get(key)} with another value ([${previous}] → [${value}]); the later value is kept.`,
      });
    }
    this.props.set(key, value);
    this.keyLines.set(key, line);
  }
}

/**
 * Parses `getprop` output. A value may span lines (a property holding a newline): it runs from
 * `[key]: [` to the first later line ending in `]`. Blank lines are skipped; any other line is a
 * problem. A key repeated with a different value is a problem and the later value is kept.
 */
export function parseGetprop(text: string): GetpropResult {
  const parser = new GetpropParser();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) parser.push(lines[i] ?? '', i + 1);
  parser.end();
  return { props: parser.props, problems: parser.problems };
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
