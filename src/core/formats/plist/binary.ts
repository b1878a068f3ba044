import {
  MAX_PLIST_DEPTH,
  appleDateMs,
  PlistError,
  PlistUid,
  createDict,
  type PlistValue,
} from './types';

// Layout of a `bplist00` file (CoreFoundation CFBinaryPList.c): an 8-byte header, the objects,
// an offset table (one big-endian offset per object), and a 32-byte trailer: 5 unused bytes,
// sort version, offset int size, object ref size, then three big-endian u64: object count,
// top object index, offset table offset.
const HEADER_SIZE = 8;
const TRAILER_SIZE = 32;
const MIN_SIZE = HEADER_SIZE + 1 + 1 + TRAILER_SIZE;

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Trailer {
  offsetSize: number;
  refSize: number;
  numObjects: number;
  topObject: number;
  tableOffset: number;
}

/** Parses a `bplist00` binary property list; throws PlistError on any malformed input. */
export function parseBinaryPlist(buf: Uint8Array): PlistValue {
  checkHeader(buf);
  const trailer = readTrailer(buf);
  return new BinaryParser(buf, trailer).parseTop();
}

/** Whether the bytes start with the `bplist` magic (any version). */
export function hasBinaryPlistMagic(buf: Uint8Array): boolean {
  return asciiAt(buf, 0, 6) === 'bplist';
}

function asciiAt(buf: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < buf.length; i++) {
    s += String.fromCharCode(buf[i] ?? 0);
  }
  return s;
}

function checkHeader(buf: Uint8Array): void {
  if (!hasBinaryPlistMagic(buf)) {
    throw new PlistError('binary plist: missing the "bplist00" header', { offset: 0 });
  }
  const version = asciiAt(buf, 6, 2);
  if (version !== '00') {
    throw new PlistError(
      `binary plist: unsupported version "bplist${printable(version)}" (only bplist00 is read)`,
      { offset: 6 },
    );
  }
  if (buf.length < MIN_SIZE) {
    throw new PlistError(
      `binary plist: ${buf.length} bytes is too short (a header, one object, an offset table and a 32-byte trailer need at least ${MIN_SIZE})`,
      { offset: buf.length },
    );
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** Reads an unsigned big-endian integer of 1 to 8 bytes; the caller has bounds-checked. */
function readUnsigned(buf: Uint8Array, start: number, size: number, what: string): number {
  if (size <= 6) {
    // Up to 48 bits: exact in a double, so no BigInt on the hot path (refs and offsets).
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + (buf[start + i] ?? 0);
    return n;
  }
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(buf[start + i] ?? 0);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new PlistError(`binary plist: ${what} ${value} is too large`, { offset: start });
  }
  return Number(value);
}

function readTrailer(buf: Uint8Array): Trailer {
  const at = buf.length - TRAILER_SIZE;
  const offsetSize = buf[at + 6] ?? 0;
  const refSize = buf[at + 7] ?? 0;
  if (offsetSize < 1 || offsetSize > 8) {
    throw new PlistError(`binary plist trailer: offset int size ${offsetSize} is not 1 to 8`, {
      offset: at + 6,
    });
  }
  if (refSize < 1 || refSize > 8) {
    throw new PlistError(`binary plist trailer: object ref size ${refSize} is not 1 to 8`, {
      offset: at + 7,
    });
  }
  const numObjects = readUnsigned(buf, at + 8, 8, 'trailer object count');
  const topObject = readUnsigned(buf, at + 16, 8, 'trailer top object');
  const tableOffset = readUnsigned(buf, at + 24, 8, 'trailer offset table offset');
  if (numObjects === 0) {
    throw new PlistError('binary plist trailer: the object count is 0', { offset: at + 8 });
  }
  if (tableOffset < HEADER_SIZE + 1 || tableOffset >= at) {
    throw new PlistError(
      `binary plist trailer: offset table offset ${tableOffset} is outside the data (objects end before byte ${at})`,
      { offset: at + 24 },
    );
  }
  // The offset table must fit between its start and the trailer: this caps the object count by
  // the buffer size before anything is allocated.
  const available = Math.floor((at - tableOffset) / offsetSize);
  if (numObjects > available) {
    throw new PlistError(
      `binary plist trailer: object count ${numObjects} needs a ${numObjects * offsetSize}-byte offset table but only ${at - tableOffset} bytes lie between it and the trailer`,
      { offset: at + 8 },
    );
  }
  // Each object occupies at least one byte of its own between the header and the offset table.
  if (numObjects > tableOffset - HEADER_SIZE) {
    throw new PlistError(
      `binary plist trailer: object count ${numObjects} exceeds the ${tableOffset - HEADER_SIZE} bytes of the object area`,
      { offset: at + 8 },
    );
  }
  if (topObject >= numObjects) {
    throw new PlistError(
      `binary plist trailer: top object ${topObject} is not below the object count ${numObjects}`,
      { offset: at + 16 },
    );
  }
  return { offsetSize, refSize, numObjects, topObject, tableOffset };
}

// Object states; 0, the initial value of the state array, is "not parsed yet".
const ACTIVE = 1;
const DONE = 2;

class BinaryParser {
  private readonly view: DataView;
  private readonly offsets: Uint32Array | Float64Array;
  /** Per object index: 0, ACTIVE (being parsed: meeting it again is a cycle) or DONE. */
  private readonly state: Uint8Array;
  private readonly values: PlistValue[];
  /** Per object index: how many values it stands for once shared references are expanded. */
  private readonly sizes: Float64Array;
  /** Caps the expanded size, so a file of shared references cannot explode ("billion laughs"). */
  private readonly maxExpanded: number;
  /** The length read by the last {@link countStart}. */
  private count = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly t: Trailer,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.maxExpanded = 1_000_000 + 16 * buf.length;
    const n = t.numObjects;
    this.state = new Uint8Array(n);
    this.values = new Array<PlistValue>(n);
    this.sizes = new Float64Array(n);
    this.offsets = t.offsetSize <= 4 ? new Uint32Array(n) : new Float64Array(n);
    // Offsets must be distinct: that is what lets the object count be capped by the object
    // area above, and lets each index be parsed once. Range is checked when an object is used.
    const seen = new Uint32Array(Math.ceil(t.tableOffset / 32));
    for (let i = 0; i < n; i++) {
      const entry = t.tableOffset + i * t.offsetSize;
      const offset = readUnsigned(buf, entry, t.offsetSize, 'object offset');
      this.offsets[i] = offset;
      if (offset < HEADER_SIZE || offset >= t.tableOffset) continue;
      const word = Math.floor(offset / 32);
      const bit = 1 << (offset % 32);
      if (((seen[word] ?? 0) & bit) !== 0) {
        throw new PlistError(
          `binary plist: object ${i} has offset ${offset}, the same as an earlier object`,
          { offset: entry },
        );
      }
      seen[word] = (seen[word] ?? 0) | bit;
    }
  }

  parseTop(): PlistValue {
    // The top object's "reference" is the trailer field that names it.
    return this.parseObject(this.t.topObject, 0, this.buf.length - TRAILER_SIZE + 16);
  }

  private parseObject(index: number, depth: number, refAt: number): PlistValue {
    if (index >= this.t.numObjects) {
      throw new PlistError(
        `binary plist: object reference ${index} is not below the object count ${this.t.numObjects}`,
        { offset: refAt },
      );
    }
    const state = this.state[index];
    if (state === DONE) return this.values[index] ?? null;
    const offset = this.offsets[index] ?? 0;
    if (state === ACTIVE) {
      throw new PlistError(`binary plist: reference cycle through object ${index}`, { offset });
    }
    if (offset < HEADER_SIZE || offset >= this.t.tableOffset) {
      throw new PlistError(
        `binary plist: object ${index} has offset ${offset}, outside the object area (bytes ${HEADER_SIZE} to ${this.t.tableOffset - 1})`,
        { offset: this.t.tableOffset + index * this.t.offsetSize },
      );
    }
    if (depth > MAX_PLIST_DEPTH) {
      throw new PlistError(`binary plist: containers nest deeper than ${MAX_PLIST_DEPTH} levels`, {
        offset,
      });
    }
    this.state[index] = ACTIVE;
    this.sizes[index] = 1;
    const value = this.decode(index, offset, depth);
    this.values[index] = value;
    this.state[index] = DONE;
    return value;
  }

  /** Throws unless `length` bytes from `start` lie inside the object area. */
  private need(start: number, length: number, index: number, what: string): void {
    const end = this.t.tableOffset;
    if (start > end || length > end - start) {
      throw new PlistError(
        `binary plist: ${what} of object ${index} (${length} bytes) runs past the object area, which ends at byte ${end}`,
        { offset: start },
      );
    }
  }

  private decode(index: number, offset: number, depth: number): PlistValue {
    const marker = this.buf[offset] ?? 0;
    const info = marker & 0x0f;
    switch (marker >> 4) {
      case 0x0:
        if (info === 0x0 || info === 0xf) return null; // null, fill
        if (info === 0x8) return false;
        if (info === 0x9) return true;
        return this.unsupported(index, offset, marker);
      case 0x1:
        return this.readInt(index, offset, info);
      case 0x2:
        if (info === 2) {
          this.need(offset + 1, 4, index, 'real');
          return this.view.getFloat32(offset + 1);
        }
        if (info === 3) {
          this.need(offset + 1, 8, index, 'real');
          return this.view.getFloat64(offset + 1);
        }
        throw new PlistError(`binary plist: object ${index} is a real of ${1 << info} bytes`, {
          offset,
        });
      case 0x3:
        return this.readDate(index, offset, info);
      case 0x4: {
        const start = this.countStart(index, offset, info);
        this.need(start, this.count, index, 'data');
        // A copy, as a plain Uint8Array even when the input is a Node Buffer.
        return new Uint8Array(this.buf.subarray(start, start + this.count));
      }
      case 0x5: {
        const start = this.countStart(index, offset, info);
        this.need(start, this.count, index, 'ASCII string');
        return decodeAscii(this.buf.subarray(start, start + this.count));
      }
      case 0x6: {
        const start = this.countStart(index, offset, info);
        this.need(start, this.count * 2, index, 'UTF-16 string');
        return decodeUtf16be(this.buf.subarray(start, start + this.count * 2));
      }
      case 0x7: {
        const start = this.countStart(index, offset, info);
        this.need(start, this.count, index, 'UTF-8 string');
        try {
          return utf8.decode(this.buf.subarray(start, start + this.count));
        } catch {
          throw new PlistError(`binary plist: object ${index} is not valid UTF-8`, { offset });
        }
      }
      case 0x8: {
        const size = info + 1;
        this.need(offset + 1, size, index, 'UID');
        return new PlistUid(readUnsigned(this.buf, offset + 1, size, 'UID'));
      }
      case 0xa:
      case 0xb:
      case 0xc:
        // 0xA array, 0xB ordered set, 0xC set: all read as arrays.
        return this.readArray(index, offset, info, depth);
      case 0xd:
        return this.readDict(index, offset, info, depth);
      default:
        return this.unsupported(index, offset, marker);
    }
  }

  private unsupported(index: number, offset: number, marker: number): never {
    throw new PlistError(
      `binary plist: object ${index} has unknown marker 0x${marker.toString(16).padStart(2, '0')}`,
      { offset },
    );
  }

  private readInt(index: number, offset: number, info: number): number | bigint {
    if (info > 4) {
      throw new PlistError(`binary plist: object ${index} is an integer of ${2 ** info} bytes`, {
        offset,
      });
    }
    const size = 1 << info;
    const start = offset + 1;
    this.need(start, size, index, 'integer');
    switch (size) {
      case 1:
        return this.view.getUint8(start);
      case 2:
        return this.view.getUint16(start);
      case 4:
        return this.view.getUint32(start);
      case 8:
        // 8-byte integers are signed (CFBinaryPList.c); smaller ones are unsigned.
        return narrow(this.view.getBigInt64(start));
      default:
        // 16 bytes: written for unsigned 64-bit values above INT64_MAX; read as signed 128-bit.
        return narrow((this.view.getBigInt64(start) << 64n) | this.view.getBigUint64(start + 8));
    }
  }

  private readDate(index: number, offset: number, info: number): Date {
    if (info !== 3) {
      throw new PlistError(`binary plist: object ${index} is a date of ${1 << info} bytes`, {
        offset,
      });
    }
    this.need(offset + 1, 8, index, 'date');
    const seconds = this.view.getFloat64(offset + 1);
    const date = new Date(appleDateMs(seconds));
    if (Number.isNaN(date.getTime())) {
      throw new PlistError(`binary plist: object ${index} is a date out of range (${seconds} s)`, {
        offset,
      });
    }
    return date;
  }

  /**
   * Reads a length (in the marker's low nibble, or 0xF followed by an integer object) into
   * `count`, and returns where the content starts.
   */
  private countStart(index: number, offset: number, info: number): number {
    if (info !== 0x0f) {
      this.count = info;
      return offset + 1;
    }
    this.need(offset + 1, 1, index, 'length marker');
    const marker = this.buf[offset + 1] ?? 0;
    const sizeLog = marker & 0x0f;
    if (marker >> 4 !== 0x1 || sizeLog > 3) {
      throw new PlistError(
        `binary plist: object ${index} has a length marker 0x${marker.toString(16).padStart(2, '0')}, not an integer of 1 to 8 bytes`,
        { offset: offset + 1 },
      );
    }
    const size = 1 << sizeLog;
    this.need(offset + 2, size, index, 'length');
    this.count = readUnsigned(this.buf, offset + 2, size, `length of object ${index}`);
    return offset + 2 + size;
  }

  /** Adds a child's expanded size to its container's, within the cap. */
  private grow(index: number, child: number, offset: number): void {
    const next = (this.sizes[index] ?? 0) + (this.sizes[child] ?? 0);
    if (next > this.maxExpanded) {
      throw new PlistError(
        `binary plist: shared references expand to more than ${this.maxExpanded} values`,
        { offset },
      );
    }
    this.sizes[index] = next;
  }

  private readArray(index: number, offset: number, info: number, depth: number): PlistValue {
    const start = this.countStart(index, offset, info);
    const count = this.count;
    const refSize = this.t.refSize;
    this.need(start, count * refSize, index, 'array references');
    const items: PlistValue[] = [];
    for (let i = 0; i < count; i++) {
      const at = start + i * refSize;
      const ref = readUnsigned(this.buf, at, refSize, 'object reference');
      items.push(this.parseObject(ref, depth + 1, at));
      this.grow(index, ref, offset);
    }
    return items;
  }

  private readDict(index: number, offset: number, info: number, depth: number): PlistValue {
    const start = this.countStart(index, offset, info);
    const count = this.count;
    const refSize = this.t.refSize;
    this.need(start, count * refSize, index, 'dict key references');
    const valuesAt = start + count * refSize;
    this.need(valuesAt, count * refSize, index, 'dict value references');
    const dict = createDict();
    for (let i = 0; i < count; i++) {
      const keyAt = start + i * refSize;
      const keyRef = readUnsigned(this.buf, keyAt, refSize, 'object reference');
      const key = this.parseObject(keyRef, depth + 1, keyAt);
      if (typeof key !== 'string') {
        throw new PlistError(
          `binary plist: dict object ${index} has a key (object ${keyRef}) that is not a string`,
          { offset: keyAt },
        );
      }
      const valueAt = valuesAt + i * refSize;
      const valueRef = readUnsigned(this.buf, valueAt, refSize, 'object reference');
      dict[key] = this.parseObject(valueRef, depth + 1, valueAt);
      this.grow(index, valueRef, offset);
    }
    return dict;
  }
}

/** A bigint as a number when no precision is lost. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

// Type 0x5 should hold ASCII; bytes above 0x7F are read as UTF-8 when valid, else as Latin-1,
// so that no byte is lost.
function decodeAscii(bytes: Uint8Array): string {
  if (bytes.every((b) => b < 0x80)) return charCodes(bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return charCodes(bytes);
  }
}

function charCodes(units: ArrayLike<number>): string {
  const CHUNK = 8192;
  let s = '';
  for (let i = 0; i < units.length; i += CHUNK) {
    const part: number[] = [];
    for (let j = i; j < Math.min(i + CHUNK, units.length); j++) part.push(units[j] ?? 0);
    s += String.fromCharCode(...part);
  }
  return s;
}

// Decoded by hand: lone surrogates are kept as they are rather than replaced.
function decodeUtf16be(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < units.length; i++) {
    units[i] = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
  }
  return charCodes(units);
}
