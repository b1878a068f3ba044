import { BackupCryptoError } from './errors';

// The backup keybag (`Manifest.plist:BackupKeyBag`), ios-backup.md §7 step 1: TLV records of a
// 4-byte ASCII tag, a 4-byte big-endian length and the value; 4-byte numbers are big-endian u32.
// Header tags come first; the first UUID is the keybag's and every later UUID opens a class record.

/** PBKDF2 counts above this are refused: real keybags use 10,000 and 10,000,000. */
export const MAX_KEYBAG_ITERATIONS = 100_000_000;

/** Keybag WRAP bit: the class key is wrapped with the key derived from the backup password. */
export const WRAP_PASSCODE = 2;

/** Keybag KTYP values. */
export const KEY_TYPE_AES = 0;
export const KEY_TYPE_CURVE25519 = 1;

/** One class-key record of a keybag. */
export interface KeybagClass {
  uuid: Uint8Array;
  /** CLAS: 1–4 file protection classes, 5 recovery, 6–11 keychain classes. */
  protectionClass: number;
  /** WRAP: bit 1 device key, bit 2 password. */
  wrap: number;
  /** KTYP: 0 AES, 1 Curve25519 (0 when the record has no KTYP). */
  keyType: number;
  /** WPKY: the RFC 3394-wrapped class key. */
  wpky?: Uint8Array;
  /** PBKY: the public key of a Curve25519 class. */
  pbky?: Uint8Array;
}

/** A parsed backup keybag. */
export interface Keybag {
  version: number;
  /** 0 System, 1 Backup, 2 Escrow, 3 OTA/iCloud. */
  type: number;
  uuid: Uint8Array;
  /** The header WRAP, when present. */
  wrap?: number;
  /** PBKDF2-HMAC-SHA1 salt and iterations (the second derivation stage). */
  salt: Uint8Array;
  iterations: number;
  /** iOS ≥ 10.2: wrap type, PBKDF2-HMAC-SHA256 iterations and salt (the first stage). */
  dpwt?: number;
  dpic?: number;
  dpsl?: Uint8Array;
  /** Wrapped HMAC key for keybag integrity; not needed to decrypt. */
  hmck?: Uint8Array;
  classes: KeybagClass[];
}

/** One raw TLV record, for writing keybags (including deliberately broken ones in tests). */
export interface KeybagRecord {
  tag: string;
  /** Bytes, or a number written as a 4-byte big-endian u32. */
  value: Uint8Array | number;
}

/** A password-wrapped WPKY: a 32-byte class key wrapped per RFC 3394 (8 bytes longer). */
const PASSWORD_WPKY_BYTES = 40;

const HEADER_NUMBER_TAGS = new Set(['VERS', 'TYPE', 'WRAP', 'ITER', 'DPWT', 'DPIC']);
const HEADER_BYTES_TAGS = new Set(['UUID', 'SALT', 'DPSL', 'HMCK']);
const CLASS_NUMBER_TAGS = new Set(['CLAS', 'WRAP', 'KTYP']);
const CLASS_BYTES_TAGS = new Set(['WPKY', 'PBKY']);

function malformed(message: string): BackupCryptoError {
  return new BackupCryptoError('MALFORMED', `The backup keybag is malformed: ${message}`);
}

function readTag(buf: Uint8Array, offset: number): string {
  let tag = '';
  for (let i = 0; i < 4; i++) {
    const c = buf[offset + i] ?? 0;
    if (c < 0x20 || c > 0x7e) {
      throw malformed(`the record at byte ${offset} does not start with a 4-character ASCII tag.`);
    }
    tag += String.fromCharCode(c);
  }
  return tag;
}

function readU32(value: Uint8Array, tag: string, offset: number): number {
  if (value.length !== 4) {
    throw malformed(
      `${tag} at byte ${offset} holds ${value.length} bytes instead of a 4-byte number.`,
    );
  }
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, false);
}

/** Splits a keybag into its TLV records, refusing truncated records and lengths past the end. */
function* readRecords(
  buf: Uint8Array,
): Generator<{ tag: string; value: Uint8Array; offset: number }> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < 8) {
      throw malformed(
        `truncated record at byte ${offset}: ${buf.length - offset} bytes left, a record header needs 8.`,
      );
    }
    const tag = readTag(buf, offset);
    const length = view.getUint32(offset + 4, false);
    const start = offset + 8;
    if (length > buf.length - start) {
      throw malformed(
        `${tag} at byte ${offset} claims ${length} bytes but only ${buf.length - start} remain.`,
      );
    }
    yield { tag, value: buf.subarray(start, start + length), offset };
    offset = start + length;
  }
}

function checkIterations(tag: string, count: number): void {
  if (count < 1 || count > MAX_KEYBAG_ITERATIONS) {
    throw malformed(
      `${tag} is ${count}; an iteration count must be between 1 and ${MAX_KEYBAG_ITERATIONS.toLocaleString('en-US')}.`,
    );
  }
}

interface PartialClass {
  uuid: Uint8Array;
  offset: number;
  numbers: Map<string, number>;
  bytes: Map<string, Uint8Array>;
}

function finishClass(c: PartialClass): KeybagClass {
  const protectionClass = c.numbers.get('CLAS');
  const wrap = c.numbers.get('WRAP');
  if (protectionClass === undefined) {
    throw malformed(`the class record starting at byte ${c.offset} has no CLAS.`);
  }
  if (wrap === undefined) {
    throw malformed(`the record of class ${protectionClass} has no WRAP.`);
  }
  const out: KeybagClass = {
    uuid: c.uuid,
    protectionClass,
    wrap,
    keyType: c.numbers.get('KTYP') ?? KEY_TYPE_AES,
  };
  const wpky = c.bytes.get('WPKY');
  if (wpky !== undefined) {
    // A password-wrapped class key is a 32-byte AES key, so its WPKY is 40 bytes (ios-backup.md
    // §7); any other size would unlock to a key that no file key can be unwrapped with.
    if ((wrap & WRAP_PASSCODE) !== 0 && wpky.length !== PASSWORD_WPKY_BYTES) {
      throw malformed(
        `the WPKY of class ${protectionClass} is ${wpky.length} bytes, not an RFC 3394-wrapped 32-byte key.`,
      );
    }
    if (wpky.length < 24 || wpky.length % 8 !== 0) {
      throw malformed(
        `the WPKY of class ${protectionClass} is ${wpky.length} bytes, not an RFC 3394-wrapped key.`,
      );
    }
    out.wpky = wpky;
  }
  const pbky = c.bytes.get('PBKY');
  if (pbky !== undefined) out.pbky = pbky;
  return out;
}

/**
 * Parses a backup keybag (`Manifest.plist:BackupKeyBag`).
 * Throws a MALFORMED BackupCryptoError on truncated records, lengths past the end, numbers that
 * are not 4 bytes, missing VERS/TYPE/UUID/SALT/ITER, absurd iteration counts, a DPIC without a
 * DPSL (or the reverse), class records without CLAS or WRAP or holding a class tag twice, a
 * class listed twice, and a password-wrapped WPKY that is not a wrapped 32-byte key (40 bytes).
 * Value slices share memory with `buf`.
 */
export function parseKeybag(buf: Uint8Array): Keybag {
  if (buf.length === 0) throw malformed('it is empty.');
  const headerNumbers = new Map<string, number>();
  const headerBytes = new Map<string, Uint8Array>();
  const classes: PartialClass[] = [];
  let current: PartialClass | null = null;

  for (const { tag, value, offset } of readRecords(buf)) {
    if (tag === 'UUID' && headerBytes.has('UUID')) {
      if (current) classes.push(current);
      current = { uuid: value, offset, numbers: new Map(), bytes: new Map() };
      continue;
    }
    if (current) {
      // Inside a class record: only the class tags belong to it; anything else is not used. A
      // class tag given twice would leave which one counts to the reader's order: refused.
      if (
        (CLASS_NUMBER_TAGS.has(tag) && current.numbers.has(tag)) ||
        (CLASS_BYTES_TAGS.has(tag) && current.bytes.has(tag))
      ) {
        throw malformed(
          `the class record starting at byte ${current.offset} holds ${tag} twice (second at byte ${offset}).`,
        );
      }
      if (CLASS_NUMBER_TAGS.has(tag)) current.numbers.set(tag, readU32(value, tag, offset));
      else if (CLASS_BYTES_TAGS.has(tag)) current.bytes.set(tag, value);
      continue;
    }
    if (headerNumbers.has(tag) || headerBytes.has(tag)) {
      throw malformed(`the header holds ${tag} twice (second at byte ${offset}).`);
    }
    if (HEADER_NUMBER_TAGS.has(tag)) headerNumbers.set(tag, readU32(value, tag, offset));
    else if (HEADER_BYTES_TAGS.has(tag)) headerBytes.set(tag, value);
  }
  if (current) classes.push(current);

  const version = headerNumbers.get('VERS');
  const type = headerNumbers.get('TYPE');
  const uuid = headerBytes.get('UUID');
  const salt = headerBytes.get('SALT');
  const iterations = headerNumbers.get('ITER');
  if (version === undefined) throw malformed('the header has no VERS (version).');
  if (type === undefined) throw malformed('the header has no TYPE.');
  if (uuid === undefined) throw malformed('it has no UUID.');
  if (salt === undefined) throw malformed('the header has no SALT (PBKDF2 salt).');
  if (iterations === undefined) throw malformed('the header has no ITER (PBKDF2 iteration count).');
  checkIterations('ITER', iterations);

  const kb: Keybag = { version, type, uuid, salt, iterations, classes: [] };
  const wrap = headerNumbers.get('WRAP');
  if (wrap !== undefined) kb.wrap = wrap;
  const dpwt = headerNumbers.get('DPWT');
  if (dpwt !== undefined) kb.dpwt = dpwt;
  const dpic = headerNumbers.get('DPIC');
  const dpsl = headerBytes.get('DPSL');
  if ((dpic === undefined) !== (dpsl === undefined)) {
    throw malformed(
      dpic === undefined
        ? 'the header has a DPSL but no DPIC.'
        : 'the header has a DPIC but no DPSL.',
    );
  }
  if (dpic !== undefined) {
    checkIterations('DPIC', dpic);
    kb.dpic = dpic;
  }
  if (dpsl !== undefined) kb.dpsl = dpsl;
  const hmck = headerBytes.get('HMCK');
  if (hmck !== undefined) kb.hmck = hmck;

  const seen = new Set<number>();
  for (const c of classes) {
    const done = finishClass(c);
    if (seen.has(done.protectionClass)) {
      throw malformed(`class ${done.protectionClass} is listed twice.`);
    }
    seen.add(done.protectionClass);
    kb.classes.push(done);
  }
  return kb;
}

/** Encodes raw TLV records (4-byte ASCII tag, 4-byte big-endian length, value). */
export function encodeKeybagRecords(records: readonly KeybagRecord[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const { tag, value } of records) {
    if (!/^[\x20-\x7e]{4}$/.test(tag))
      throw new RangeError(`Keybag tag "${tag}" is not 4 ASCII characters.`);
    let bytes: Buffer;
    if (typeof value === 'number') {
      bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value, 0);
    } else {
      bytes = Buffer.from(value);
    }
    const head = Buffer.alloc(8);
    head.write(tag, 0, 'latin1');
    head.writeUInt32BE(bytes.length, 4);
    parts.push(head, bytes);
  }
  return Buffer.concat(parts);
}

/** The TLV records of a keybag, in the order iOS writes them. */
export function keybagRecords(kb: Keybag): KeybagRecord[] {
  const records: KeybagRecord[] = [
    { tag: 'VERS', value: kb.version },
    { tag: 'TYPE', value: kb.type },
    { tag: 'UUID', value: kb.uuid },
  ];
  if (kb.hmck !== undefined) records.push({ tag: 'HMCK', value: kb.hmck });
  if (kb.wrap !== undefined) records.push({ tag: 'WRAP', value: kb.wrap });
  records.push({ tag: 'SALT', value: kb.salt }, { tag: 'ITER', value: kb.iterations });
  if (kb.dpwt !== undefined) records.push({ tag: 'DPWT', value: kb.dpwt });
  if (kb.dpic !== undefined) records.push({ tag: 'DPIC', value: kb.dpic });
  if (kb.dpsl !== undefined) records.push({ tag: 'DPSL', value: kb.dpsl });
  for (const c of kb.classes) {
    records.push(
      { tag: 'UUID', value: c.uuid },
      { tag: 'CLAS', value: c.protectionClass },
      { tag: 'WRAP', value: c.wrap },
      { tag: 'KTYP', value: c.keyType },
    );
    if (c.wpky !== undefined) records.push({ tag: 'WPKY', value: c.wpky });
    if (c.pbky !== undefined) records.push({ tag: 'PBKY', value: c.pbky });
  }
  return records;
}

/** Writes a keybag in the TLV format (for tests and synthetic backups; any iteration counts). */
export function buildKeybag(kb: Keybag): Uint8Array {
  return encodeKeybagRecords(keybagRecords(kb));
}
