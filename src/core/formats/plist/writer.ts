import {
  APPLE_EPOCH_SECONDS,
  MAX_PLIST_DEPTH,
  PlistError,
  PlistUid,
  isPlistDict,
  type PlistValue,
} from './types';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Writes a value as a `bplist00` binary property list. */
export function writeBinaryPlist(value: PlistValue): Uint8Array {
  // Objects are numbered depth-first, a dict's keys before its values, as CoreFoundation does.
  const objects: PlistValue[] = [];
  const children: Array<number[] | null> = [];
  flatten(value, 0, objects, children, new Set());
  const refSize = byteWidth(objects.length - 1);

  const out = new ByteSink();
  out.ascii('bplist00');
  const offsets: number[] = [];
  objects.forEach((v, i) => {
    offsets.push(out.length);
    const refs = children[i];
    if (refs === null || refs === undefined) {
      writeScalar(out, v);
    } else {
      // A dict's refs are its keys then its values, so it has half as many entries.
      const dict = !Array.isArray(v);
      writeCount(out, dict ? 0xd : 0xa, dict ? refs.length / 2 : refs.length);
      for (const ref of refs) out.uint(ref, refSize);
    }
  });
  const tableOffset = out.length;
  const offsetSize = byteWidth(tableOffset);
  for (const offset of offsets) out.uint(offset, offsetSize);
  // Trailer: 5 unused bytes, sort version, offset int size, ref size, count, top, table offset.
  for (let i = 0; i < 6; i++) out.byte(0);
  out.byte(offsetSize);
  out.byte(refSize);
  out.uint(objects.length, 8);
  out.uint(0, 8);
  out.uint(tableOffset, 8);
  return out.bytes();
}

/** Numbers a value and its descendants; refuses values that contain themselves. */
function flatten(
  v: PlistValue,
  depth: number,
  objects: PlistValue[],
  children: Array<number[] | null>,
  active: Set<object>,
): number {
  const index = objects.length;
  objects.push(v);
  children.push(null);
  if (!Array.isArray(v) && !isPlistDict(v)) return index;
  if (active.has(v)) throw new PlistError('cannot write a value that contains itself');
  if (depth >= MAX_PLIST_DEPTH) {
    throw new PlistError(`cannot write containers nested deeper than ${MAX_PLIST_DEPTH} levels`);
  }
  active.add(v);
  const refs: number[] = [];
  if (Array.isArray(v)) {
    for (const item of v) refs.push(flatten(item, depth + 1, objects, children, active));
  } else {
    const keys = Object.keys(v);
    for (const key of keys) refs.push(flatten(key, depth + 1, objects, children, active));
    for (const key of keys) {
      refs.push(flatten(v[key] ?? null, depth + 1, objects, children, active));
    }
  }
  children[index] = refs;
  active.delete(v);
  return index;
}

function byteWidth(max: number): number {
  if (max < 0x100) return 1;
  if (max < 0x10000) return 2;
  if (max < 0x100000000) return 4;
  return 8;
}

/** A growable byte buffer. */
class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i);
  }

  /** An unsigned big-endian integer of `size` bytes (at most 2^53 - 1). */
  uint(value: number, size: number): void {
    this.reserve(size);
    let v = value;
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.length + i] = v % 256;
      v = Math.floor(v / 256);
    }
    this.length += size;
  }

  float64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  bigint64(v: bigint, signed: boolean): void {
    this.reserve(8);
    if (signed) this.view.setBigInt64(this.length, v);
    else this.view.setBigUint64(this.length, v);
    this.length += 8;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A marker with the count in its low nibble, or 0xF followed by an integer object. */
function writeCount(out: ByteSink, kind: number, count: number): void {
  if (count < 15) {
    out.byte((kind << 4) | count);
  } else {
    out.byte((kind << 4) | 0x0f);
    writeInt(out, BigInt(count));
  }
}

function writeInt(out: ByteSink, value: bigint): void {
  if (value < INT64_MIN || value > UINT64_MAX) {
    throw new PlistError(`cannot write integer ${value}: outside the 64-bit range`);
  }
  if (value >= 0n && value <= 0xffffffffn) {
    // Non-negative values take the smallest of 1, 2 or 4 unsigned bytes.
    const size = byteWidth(Number(value));
    out.byte(0x10 | Math.log2(size));
    out.uint(Number(value), size);
  } else if (value <= INT64_MAX) {
    // Negative and large values take 8 signed bytes.
    out.byte(0x13);
    out.bigint64(value, true);
  } else {
    // Above INT64_MAX: 16 bytes whose high half is zero (CFBinaryPList.c).
    out.byte(0x14);
    out.bigint64(0n, false);
    out.bigint64(value, false);
  }
}

function writeScalar(out: ByteSink, v: PlistValue): void {
  if (v === null) {
    out.byte(0x00);
  } else if (typeof v === 'boolean') {
    out.byte(v ? 0x09 : 0x08);
  } else if (typeof v === 'bigint') {
    writeInt(out, v);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      writeInt(out, BigInt(v));
    } else {
      out.byte(0x23);
      out.float64(v);
    }
  } else if (typeof v === 'string') {
    if (isAscii(v)) {
      writeCount(out, 0x5, v.length);
      out.ascii(v);
    } else {
      writeCount(out, 0x6, v.length);
      for (let i = 0; i < v.length; i++) out.uint(v.charCodeAt(i), 2);
    }
  } else if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw new PlistError('cannot write an invalid Date');
    out.byte(0x33);
    out.float64(ms / 1000 - APPLE_EPOCH_SECONDS);
  } else if (v instanceof Uint8Array) {
    writeCount(out, 0x4, v.length);
    out.append(v);
  } else if (v instanceof PlistUid) {
    if (!Number.isSafeInteger(v.value) || v.value < 0) {
      throw new PlistError(`cannot write UID ${v.value}: not a non-negative integer`);
    }
    const size = byteWidth(v.value);
    out.byte(0x80 | (size - 1));
    out.uint(v.value, size);
  } else {
    throw new PlistError('cannot write a container as a scalar');
  }
}

const XML_HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

/**
 * Writes a value as an Apple XML property list.
 *
 * Dates are written to the whole second (the format has no fractions); a UID becomes a
 * `CF$UID` dict, as CoreFoundation writes it; null has no XML form and throws PlistError.
 */
export function writeXmlPlist(value: PlistValue): string {
  const lines: string[] = [];
  writeXmlValue(value, 0, lines, new Set());
  return `${XML_HEADER}${lines.join('\n')}\n</plist>\n`;
}

function writeXmlValue(v: PlistValue, depth: number, lines: string[], active: Set<object>): void {
  if (depth > MAX_PLIST_DEPTH) {
    throw new PlistError(`cannot write containers nested deeper than ${MAX_PLIST_DEPTH} levels`);
  }
  const pad = '\t'.repeat(depth);
  if (v === null) throw new PlistError('cannot write null in an XML plist');
  if (typeof v === 'boolean') {
    lines.push(`${pad}<${v ? 'true' : 'false'}/>`);
  } else if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > UINT64_MAX) {
      throw new PlistError(`cannot write integer ${v}: outside the 64-bit range`);
    }
    lines.push(`${pad}<integer>${v}</integer>`);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      lines.push(`${pad}<integer>${v}</integer>`);
    } else {
      lines.push(`${pad}<real>${formatReal(v)}</real>`);
    }
  } else if (typeof v === 'string') {
    lines.push(`${pad}<string>${escapeXml(v)}</string>`);
  } else if (v instanceof Date) {
    lines.push(`${pad}<date>${formatDate(v)}</date>`);
  } else if (v instanceof Uint8Array) {
    const b64 = encodeBase64(v);
    if (b64.length <= 60) {
      lines.push(`${pad}<data>${b64}</data>`);
    } else {
      lines.push(`${pad}<data>`);
      for (let i = 0; i < b64.length; i += 60) lines.push(`${pad}${b64.slice(i, i + 60)}`);
      lines.push(`${pad}</data>`);
    }
  } else if (v instanceof PlistUid) {
    lines.push(`${pad}<dict>`, `${pad}\t<key>CF$UID</key>`);
    lines.push(`${pad}\t<integer>${v.value}</integer>`, `${pad}</dict>`);
  } else {
    if (active.has(v)) throw new PlistError('cannot write a value that contains itself');
    active.add(v);
    if (Array.isArray(v)) {
      if (v.length === 0) {
        lines.push(`${pad}<array/>`);
      } else {
        lines.push(`${pad}<array>`);
        for (const item of v) writeXmlValue(item, depth + 1, lines, active);
        lines.push(`${pad}</array>`);
      }
    } else {
      const keys = Object.keys(v);
      if (keys.length === 0) {
        lines.push(`${pad}<dict/>`);
      } else {
        lines.push(`${pad}<dict>`);
        for (const key of keys) {
          lines.push(`${pad}\t<key>${escapeXml(key)}</key>`);
          writeXmlValue(v[key] ?? null, depth + 1, lines, active);
        }
        lines.push(`${pad}</dict>`);
      }
    }
    active.delete(v);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function escapeXml(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '&') out += '&amp;';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    // CR and other control characters become character references so they survive XML
    // end-of-line normalisation on the way back in.
    else if (code < 0x20 && c !== '\t' && c !== '\n') out += `&#${code};`;
    else out += c;
  }
  return out;
}

function formatReal(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return '+infinity';
  if (v === -Infinity) return '-infinity';
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
}

function formatDate(d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new PlistError('cannot write an invalid Date');
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new PlistError(`cannot write year ${year} in an XML plist`);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${String(year).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}` +
    `T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`
  );
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += BASE64[(n >> 18) & 63] ?? '';
    out += BASE64[(n >> 12) & 63] ?? '';
    out += b1 === undefined ? '=' : (BASE64[(n >> 6) & 63] ?? '');
    out += b2 === undefined ? '=' : (BASE64[n & 63] ?? '');
  }
  return out;
}
