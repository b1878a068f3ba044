// The text of events' fields: instants and durations formatted as strings or written as UTF-8
// bytes into a ByteText (the lines of millions of rows are never built as strings), small caches
// of encoded texts, and a field's value in a CSV cell.
import { formatInstant, formatOffset, formatUtc, msToSeconds } from '../../contract/time';

export const instant = (ms: number | null, offsetMin: number | null): string | null =>
  ms === null ? null : formatInstant(ms, offsetMin ?? 0);

/** Instants whose local date falls in years 1970-9999: formatted from a day's cached date. */
const FAST_LOCAL_MAX = 253_402_300_800_000;

/**
 * `formatInstant` for many instants in a row: the date part of the last days and each offset's
 * text are kept, the time of day is worked out from the milliseconds (the same text; instants
 * outside years 1970-9999 or not whole milliseconds go through `formatInstant` itself).
 */
export function instantFormatter(): (ms: number, offsetMin: number) => string {
  const days = new Map<number, string>();
  const offsets = new Map<number, string>();
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return (ms, offsetMin) => {
    const local = ms + offsetMin * 60_000;
    if (
      !Number.isInteger(local) ||
      local < 0 ||
      local >= FAST_LOCAL_MAX ||
      !Number.isInteger(offsetMin)
    )
      return formatInstant(ms, offsetMin);
    const day = Math.floor(local / 86_400_000);
    let date = days.get(day);
    if (date === undefined) {
      // A year of days at most: a long export crosses many, each looked up once.
      if (days.size >= 4096) days.clear();
      date = formatInstant(day * 86_400_000, 0).slice(0, 11);
      days.set(day, date);
    }
    let offset = offsets.get(offsetMin);
    if (offset === undefined) {
      offset = formatOffset(offsetMin);
      if (offsets.size < 4096) offsets.set(offsetMin, offset);
    }
    let rest = local - day * 86_400_000;
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const sec = rest % 60;
    rest = (rest - sec) / 60;
    const min = rest % 60;
    const hour = (rest - min) / 60;
    return `${date}${two(hour)}:${two(min)}:${two(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}${offset}`;
  };
}

/** Small caches of encoded text for values that repeat from row to row (categories, states). */
export function encodedCache<K, V = string>(encode: (k: K) => V, max = 4096): (k: K) => V {
  const m = new Map<K, V>();
  return (k) => {
    let v = m.get(k);
    if (v === undefined) {
      v = encode(k);
      if (m.size < max) m.set(k, v);
    }
    return v;
  };
}

/**
 * Text written as UTF-8 bytes into one buffer, handed out a piece at a time: cached pieces are
 * copied as bytes and numbers written digit by digit, so millions of lines never become strings.
 */
export class ByteText {
  protected buf: Buffer;
  pos = 0;

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size + 4096);
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Whether a piece is full (the caller ends it at a line's end). */
  full(): boolean {
    return this.pos >= this.size;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    if (b.length > 32) {
      this.buf.set(b, this.pos);
      this.pos += b.length;
      return;
    }
    const t = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i += 1) t[p++] = b[i]!;
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A number as `String` writes it: digits directly for whole numbers from 0 to 2^53. */
  number(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      this.text(String(n));
      return;
    }
    this.room(16);
    const t = this.buf;
    if (n < 10) {
      t[this.pos++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits += 1;
    let p = this.pos + digits;
    this.pos = p;
    for (let v = n; digits > 0; digits -= 1) {
      const q = Math.floor(v / 10);
      t[--p] = 48 + (v - q * 10);
      v = q;
    }
  }

  /** Two digits (0-99). */
  two(n: number): void {
    this.room(2);
    const q = (n / 10) | 0;
    this.buf[this.pos++] = 48 + q;
    this.buf[this.pos++] = 48 + n - q * 10;
  }

  /**
   * Writes `text` when every character is printable ASCII and none is in `forbid` (char codes),
   * and says whether it did; otherwise writes nothing.
   */
  plain(text: string, forbid: readonly number[]): boolean {
    this.room(text.length);
    const t = this.buf;
    let p = this.pos;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || forbid.includes(c)) return false;
      t[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /** The bytes written since the last call, as their own buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size + 4096);
    this.pos = 0;
    return out;
  }
}

/** A text's UTF-8 bytes. */
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * `formatInstant` written as bytes: the date part of a day and each offset's text are kept, the
 * time of day is written from the milliseconds (instants outside years 1970-9999 or not whole
 * milliseconds go through `formatInstant` itself). The same text as {@link instantFormatter}.
 */
export function instantBytes(): (out: ByteText, ms: number, offsetMin: number) => void {
  const clock = clockBytes();
  const offsets = new Map<number, Buffer>();
  return (out, ms, offsetMin) => {
    const local = ms + offsetMin * 60_000;
    if (!Number.isInteger(offsetMin) || !clock(out, local)) {
      out.text(formatInstant(ms, offsetMin));
      return;
    }
    let offset = offsets.get(offsetMin);
    if (offset === undefined) {
      offset = utf8(formatOffset(offsetMin));
      if (offsets.size < 4096) offsets.set(offsetMin, offset);
    }
    out.bytes(offset);
  };
}

/** `formatUtc` written as bytes, as {@link instantBytes} writes instants (`Z` for the offset). */
export function utcBytes(): (out: ByteText, ms: number) => void {
  const clock = clockBytes();
  const z = utf8('Z');
  return (out, ms) => {
    if (clock(out, ms)) out.bytes(z);
    else out.text(formatUtc(ms));
  };
}

/**
 * Writes `YYYY-MM-DDTHH:mm:ss.SSS` of a local instant (ms of local time) from a day's cached date,
 * when it is whole milliseconds in years 1970-9999; otherwise writes nothing and says so.
 */
function clockBytes(): (out: ByteText, local: number) => boolean {
  const days = new Map<number, Buffer>();
  return (out, local) => {
    if (!Number.isInteger(local) || local < 0 || local >= FAST_LOCAL_MAX) return false;
    const day = Math.floor(local / 86_400_000);
    let date = days.get(day);
    if (date === undefined) {
      // A year of days at most: a long export crosses many, each looked up once.
      if (days.size >= 4096) days.clear();
      date = utf8(formatInstant(day * 86_400_000, 0).slice(0, 11));
      days.set(day, date);
    }
    let rest = local - day * 86_400_000;
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const sec = rest % 60;
    rest = (rest - sec) / 60;
    const min = rest % 60;
    out.bytes(date);
    out.two((rest - min) / 60);
    out.bytes(COLON);
    out.two(min);
    out.bytes(COLON);
    out.two(sec);
    out.bytes(DOT);
    out.two((milli / 10) | 0);
    out.number(milli % 10);
    return true;
  };
}

export const COLON = utf8(':');
const DOT = utf8('.');

/** A duration in ms as `String(msToSeconds(ms))` writes it (digits directly for whole ms). */
export function writeSeconds(out: ByteText, ms: number): void {
  if (!(Number.isSafeInteger(ms) && ms >= 0 && ms < 1e15)) {
    out.text(String(msToSeconds(ms)));
    return;
  }
  const frac = ms % 1000;
  out.number((ms - frac) / 1000);
  if (frac === 0) return;
  // Three places with trailing zeros left out, as the shortest text of the number has them.
  out.bytes(DOT);
  const d1 = (frac / 100) | 0;
  const d2 = ((frac / 10) | 0) % 10;
  const d3 = frac % 10;
  out.number(d1);
  if (d2 !== 0 || d3 !== 0) out.number(d2);
  if (d3 !== 0) out.number(d3);
}

/**
 * One field of an event as a CSV cell's value: null is empty, provenance is `sha256:locator` and
 * other lists items, joined by `;`, other objects their JSON.
 */
export function eventCsvValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    return (value as unknown[])
      .map((s) =>
        s !== null && typeof s === 'object' && 'sha256' in s && 'locator' in s
          ? `${String(s.sha256)}:${String(s.locator)}`
          : typeof s === 'string'
            ? s
            : JSON.stringify(s),
      )
      .join(';');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}
