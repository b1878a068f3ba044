import { asArray, asDict } from './accessors';
import { parseBinaryPlist } from './binary';
import {
  MAX_PLIST_DEPTH,
  appleDateMs,
  PlistError,
  PlistUid,
  createDict,
  describePlistType,
  isPlistDict,
  type PlistDict,
  type PlistValue,
} from './types';

// NSKeyedArchiver archives are a dict {$archiver, $version, $top, $objects}: $objects holds every
// archived object once, and objects point at each other with UIDs (indices into $objects).
// Index 0 is the string "$null", which stands for nil.

/** One row's `file` blob from an iOS backup Manifest.db, decoded (reference ios-backup.md §5). */
export interface MbFile {
  relativePath: string | null;
  size: number | null;
  mode: number | null;
  userId: number | null;
  groupId: number | null;
  inode: number | null;
  lastModified: Date | null;
  lastStatusChange: Date | null;
  birth: Date | null;
  /** `ProtectionClass` as stored; when absent, {@link keyProtectionClass} reads it from the key. */
  protectionClass: number | null;
  /** 4-byte little-endian protection class + 40-byte RFC 3394-wrapped key, as stored. */
  encryptionKey: Uint8Array | null;
  digest: Uint8Array | null;
  /** The link target of a symlink row. */
  target: string | null;
  flags: number | null;
  /** `ExtendedAttributes` resolved as stored (usually data holding a binary plist). */
  extendedAttributes: PlistValue | null;
}

/**
 * Resolves an NSKeyedArchiver archive into plain values: returns `$top` with every UID replaced
 * by the object it names.
 *
 * NSDictionary-like objects (`NS.keys` + `NS.objects`) become dicts, NSArray/NSSet-like ones
 * (`NS.objects`) arrays, `NS.string`/`NS.data`/`NS.bytes` wrappers their content, `NS.time` a
 * Date; any other object becomes a dict of its resolved fields plus `$class` (the class name).
 * `$null` becomes null. A reference back to an object still being resolved (a cycle in the
 * object graph) is left as its PlistUid; an object referenced twice is the same JS value.
 */
export function unarchive(value: PlistValue): PlistDict {
  const archive = asDict(value);
  if (archive === null) {
    throw new PlistError(`NSKeyedArchiver: the archive is ${describePlistType(value)}, not a dict`);
  }
  if (typeof archive['$archiver'] !== 'string') {
    throw new PlistError('NSKeyedArchiver: the archive has no $archiver string');
  }
  const objects = asArray(archive['$objects']);
  if (objects === null) throw new PlistError('NSKeyedArchiver: the archive has no $objects array');
  const top = asDict(archive['$top']);
  if (top === null) throw new PlistError('NSKeyedArchiver: the archive has no $top dict');
  const resolver = new Resolver(objects);
  const out = createDict();
  for (const key of Object.keys(top)) out[key] = resolver.resolve(top[key] ?? null, 0);
  return out;
}

class Resolver {
  private readonly memo = new Map<number, PlistValue>();
  private readonly active = new Set<number>();

  constructor(private readonly objects: PlistValue[]) {}

  resolve(value: PlistValue, depth: number): PlistValue {
    if (depth > MAX_PLIST_DEPTH) {
      throw new PlistError(`NSKeyedArchiver: objects nest deeper than ${MAX_PLIST_DEPTH} levels`);
    }
    if (value instanceof PlistUid) return this.resolveUid(value, depth);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, depth + 1));
    if (isPlistDict(value)) return this.resolveObject(value, depth);
    return value;
  }

  private resolveUid(uid: PlistUid, depth: number): PlistValue {
    const index = uid.value;
    if (index >= this.objects.length) {
      throw new PlistError(
        `NSKeyedArchiver: UID ${index} points past the ${this.objects.length} archived objects`,
      );
    }
    if (this.memo.has(index)) return this.memo.get(index) ?? null;
    if (this.active.has(index)) return uid;
    this.active.add(index);
    const raw = this.objects[index] ?? null;
    const value = raw === '$null' ? null : this.resolve(raw, depth + 1);
    this.active.delete(index);
    this.memo.set(index, value);
    return value;
  }

  private className(ref: PlistValue): string {
    const description =
      ref instanceof PlistUid && ref.value < this.objects.length ? this.objects[ref.value] : ref;
    const name = asDict(description)?.['$classname'];
    if (typeof name !== 'string') {
      throw new PlistError('NSKeyedArchiver: an object $class does not name a class description');
    }
    return name;
  }

  private resolveObject(dict: PlistDict, depth: number): PlistValue {
    const hasClass = Object.hasOwn(dict, '$class');
    const className = hasClass ? this.className(dict['$class'] ?? null) : null;
    const fields = Object.keys(dict).filter((k) => k !== '$class');
    const only = (...names: string[]) =>
      hasClass && fields.length === names.length && names.every((n) => fields.includes(n));
    const next = depth + 1;

    if (only('NS.keys', 'NS.objects')) {
      const keys = asArray(dict['NS.keys']);
      const values = asArray(dict['NS.objects']);
      if (keys !== null && values !== null) return this.resolveDictionary(keys, values, next);
    }
    if (only('NS.objects')) {
      const items = asArray(dict['NS.objects']);
      if (items !== null) return items.map((item) => this.resolve(item, next));
    }
    if (only('NS.string')) return this.resolve(dict['NS.string'] ?? null, next);
    if (only('NS.data')) return this.resolve(dict['NS.data'] ?? null, next);
    if (only('NS.bytes')) return this.resolve(dict['NS.bytes'] ?? null, next);
    if (only('NS.time')) {
      const time = dict['NS.time'];
      if (typeof time === 'number') {
        const date = new Date(appleDateMs(time));
        if (!Number.isNaN(date.getTime())) return date;
      }
    }

    const out = createDict();
    if (className !== null) out['$class'] = className;
    for (const key of fields) out[key] = this.resolve(dict[key] ?? null, next);
    return out;
  }

  private resolveDictionary(keys: PlistValue[], values: PlistValue[], depth: number): PlistDict {
    if (keys.length !== values.length) {
      throw new PlistError(
        `NSKeyedArchiver: a dictionary has ${keys.length} keys but ${values.length} objects`,
      );
    }
    const out = createDict();
    keys.forEach((rawKey, i) => {
      const key = this.resolve(rawKey, depth);
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') {
        throw new PlistError(
          `NSKeyedArchiver: a dictionary key is ${describePlistType(key)}, not a string or number`,
        );
      }
      out[String(key)] = this.resolve(values[i] ?? null, depth);
    });
    return out;
  }
}

/** The protection class in the 4-byte little-endian prefix of an MBFile EncryptionKey. */
export function keyProtectionClass(encryptionKey: Uint8Array): number | null {
  if (encryptionKey.length < 4) return null;
  return new DataView(
    encryptionKey.buffer,
    encryptionKey.byteOffset,
    encryptionKey.byteLength,
  ).getUint32(0, true);
}

/**
 * Decodes the `file` blob of an iOS backup Manifest.db row (an NSKeyedArchiver binary plist
 * whose `$top.root` is an MBFile). Missing fields are null; a field of the wrong type, or a
 * blob that is not such an archive, throws PlistError.
 */
export function readMbFile(fileBlob: Uint8Array): MbFile {
  const top = unarchive(parseBinaryPlist(fileBlob));
  const root = top['root'];
  if (!isPlistDict(root)) {
    throw new PlistError(`MBFile archive: $top.root is ${describePlistType(root)}, not an object`);
  }
  const className = root['$class'];
  if (className !== 'MBFile') {
    const what = typeof className === 'string' ? className : 'an object without a class';
    throw new PlistError(`MBFile archive: $top.root is ${what}, not an MBFile`);
  }
  return {
    relativePath: fieldString(root, 'RelativePath'),
    size: fieldInteger(root, 'Size'),
    mode: fieldInteger(root, 'Mode'),
    userId: fieldInteger(root, 'UserID'),
    groupId: fieldInteger(root, 'GroupID'),
    inode: fieldInteger(root, 'InodeNumber'),
    lastModified: fieldUnixTime(root, 'LastModified'),
    lastStatusChange: fieldUnixTime(root, 'LastStatusChange'),
    birth: fieldUnixTime(root, 'Birth'),
    protectionClass: fieldInteger(root, 'ProtectionClass'),
    encryptionKey: fieldData(root, 'EncryptionKey'),
    digest: fieldData(root, 'Digest'),
    target: fieldString(root, 'Target'),
    flags: fieldInteger(root, 'Flags'),
    extendedAttributes: root['ExtendedAttributes'] ?? null,
  };
}

function wrongType(key: string, value: PlistValue, expected: string): PlistError {
  return new PlistError(`MBFile ${key} is ${describePlistType(value)}, expected ${expected}`);
}

function fieldString(root: PlistDict, key: string): string | null {
  const v = root[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  throw wrongType(key, v, 'a string');
}

function fieldInteger(root: PlistDict, key: string): number | null {
  const v = root[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= 2n ** 53n - 1n) {
    return Number(v);
  }
  throw wrongType(key, v, 'an integer');
}

function fieldUnixTime(root: PlistDict, key: string): Date | null {
  const v = root[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    const date = new Date(v * 1000);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw wrongType(key, v, 'Unix seconds');
}

function fieldData(root: PlistDict, key: string): Uint8Array | null {
  const v = root[key];
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return v;
  // An NSData object with fields beyond NS.data stays a dict after unarchive.
  const inner = asDict(v)?.['NS.data'];
  if (inner instanceof Uint8Array) return inner;
  throw wrongType(key, v, 'data');
}
