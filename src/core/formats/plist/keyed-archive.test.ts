import { describe, expect, it } from 'vitest';
import { keyProtectionClass, readMbFile, unarchive } from './keyed-archive';
import { PlistUid, type PlistDict, type PlistValue } from './types';
import { writeBinaryPlist } from './writer';
import { plistErrorOf } from './test-support';

const uid = (n: number) => new PlistUid(n);
const cls = (name: string, ...supers: string[]): PlistDict => ({
  $classname: name,
  $classes: [name, ...supers, 'NSObject'],
});
const archive = (objects: PlistValue[], top: PlistDict = { root: uid(1) }): PlistDict => ({
  $version: 100000,
  $archiver: 'NSKeyedArchiver',
  $top: top,
  $objects: objects,
});

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i + 1);

/** 44 bytes: little-endian protection class, then a 40-byte wrapped key. */
function wrappedKey(protectionClass: number): Uint8Array {
  const key = new Uint8Array(44);
  new DataView(key.buffer).setUint32(0, protectionClass, true);
  for (let i = 4; i < 44; i++) key[i] = (i * 13) & 0xff;
  return key;
}

const errorOf = plistErrorOf;

describe('unarchive', () => {
  it('resolves dictionaries, arrays, strings, data, dates and $null', () => {
    const top = unarchive(
      archive([
        '$null',
        {
          $class: uid(2),
          'NS.keys': [uid(3), uid(4), uid(5)],
          'NS.objects': [uid(6), uid(0), uid(8)],
        },
        cls('NSDictionary'),
        'list',
        'nothing',
        'when',
        { $class: uid(7), 'NS.objects': [uid(9), uid(10), uid(12)] },
        cls('NSArray'),
        { $class: uid(13), 'NS.time': 0.5 },
        { $class: uid(11), 'NS.string': 'mutable' },
        { $class: uid(14), 'NS.data': Uint8Array.of(1, 2) },
        cls('NSMutableString', 'NSString'),
        42,
        cls('NSDate'),
        cls('NSMutableData', 'NSData'),
      ]),
    );
    expect(top).toEqual({
      root: {
        list: ['mutable', Uint8Array.of(1, 2), 42],
        nothing: null,
        when: new Date('2001-01-01T00:00:00.500Z'),
      },
    });
  });

  it('keeps other objects as dicts with a $class name, resolving every field', () => {
    const top = unarchive(
      archive([
        '$null',
        { $class: uid(2), title: uid(3), count: 7, child: uid(4), missing: uid(0) },
        cls('MyThing'),
        'a title',
        { $class: uid(2), title: uid(5), inline: [uid(3), 'plain'], flag: true },
        'child title',
      ]),
    );
    expect(top['root']).toEqual({
      $class: 'MyThing',
      title: 'a title',
      count: 7,
      missing: null,
      child: { $class: 'MyThing', title: 'child title', inline: ['a title', 'plain'], flag: true },
    });
  });

  it('resolves NS.data that is itself a UID to a data object', () => {
    const top = unarchive(
      archive(['$null', { $class: uid(2), 'NS.data': uid(3) }, cls('NSMutableData'), bytes(5)]),
    );
    expect(top['root']).toEqual(bytes(5));
  });

  it('returns every $top entry', () => {
    const top = unarchive(
      archive(['$null', 'one', 'two'], { first: uid(1), second: uid(2), n: 3 }),
    );
    expect(top).toEqual({ first: 'one', second: 'two', n: 3 });
  });

  it('stringifies numeric dictionary keys', () => {
    const top = unarchive(
      archive([
        '$null',
        { $class: uid(2), 'NS.keys': [uid(3)], 'NS.objects': [uid(4)] },
        cls('NSDictionary'),
        5,
        'five',
      ]),
    );
    expect(top['root']).toEqual({ '5': 'five' });
  });

  it('leaves a reference back into the object being resolved as a PlistUid', () => {
    const top = unarchive(
      archive([
        '$null',
        { $class: uid(2), name: uid(3), parent: uid(1), child: uid(4) },
        cls('Node'),
        'root node',
        { $class: uid(2), name: uid(5), parent: uid(1) },
        'leaf',
      ]),
    );
    expect(top['root']).toEqual({
      $class: 'Node',
      name: 'root node',
      parent: uid(1),
      child: { $class: 'Node', name: 'leaf', parent: uid(1) },
    });
  });

  it('gives one JS value for an object referenced twice', () => {
    const top = unarchive(
      archive([
        '$null',
        { $class: uid(2), 'NS.objects': [uid(3), uid(3)] },
        cls('NSArray'),
        { $class: uid(2), 'NS.objects': [] },
      ]),
    );
    const list = top['root'] as PlistValue[];
    expect(list[0]).toBe(list[1]);
  });

  it('refuses what is not an archive, and broken references', () => {
    expect(errorOf(() => unarchive('text')).message).toMatch(/the archive is a string, not a dict/);
    expect(errorOf(() => unarchive({ $objects: [], $top: {} })).message).toMatch(/no \$archiver/);
    expect(errorOf(() => unarchive({ $archiver: 'NSKeyedArchiver', $top: {} })).message).toMatch(
      /no \$objects array/,
    );
    expect(
      errorOf(() => unarchive({ $archiver: 'NSKeyedArchiver', $objects: [] })).message,
    ).toMatch(/no \$top dict/);
    expect(errorOf(() => unarchive(archive(['$null'], { root: uid(9) }))).message).toMatch(
      /UID 9 points past the 1 archived objects/,
    );
    expect(errorOf(() => unarchive(archive(['$null', { $class: uid(0), x: 1 }]))).message).toMatch(
      /does not name a class description/,
    );
    expect(
      errorOf(() =>
        unarchive(
          archive([
            '$null',
            { $class: uid(2), 'NS.keys': [uid(0)], 'NS.objects': [] },
            cls('NSDictionary'),
          ]),
        ),
      ).message,
    ).toMatch(/a dictionary has 1 keys but 0 objects/);
    expect(
      errorOf(() =>
        unarchive(
          archive([
            '$null',
            { $class: uid(2), 'NS.keys': [uid(3)], 'NS.objects': [uid(3)] },
            cls('NSDictionary'),
            [1],
          ]),
        ),
      ).message,
    ).toMatch(/a dictionary key is an array/);
  });

  it('refuses objects nested deeper than 512 levels', () => {
    const objects: PlistValue[] = ['$null', cls('Box')];
    for (let i = 0; i < 600; i++) objects.push({ $class: uid(1), inner: uid(objects.length + 1) });
    objects.push('bottom');
    expect(errorOf(() => unarchive(archive(objects, { root: uid(2) }))).message).toMatch(
      /nest deeper than 512/,
    );
  });
});

/** An MBFile archive as iOS writes it, with the optional fields the test asks for. */
function mbFileBlob(fields: PlistDict, extra: PlistValue[] = []): Uint8Array {
  return writeBinaryPlist(
    archive([
      '$null',
      { $class: uid(2), ...fields },
      cls('MBFile'),
      'Library/Preferences/com.google.Translate.plist',
      ...extra,
    ]),
  );
}

const BASE: PlistDict = {
  RelativePath: uid(3),
  LastModified: 1682109153,
  LastStatusChange: 1682109154,
  Birth: 1631511094,
  Size: 1562,
  Mode: 33152,
  UserID: 501,
  GroupID: 501,
  InodeNumber: 23991207,
  Flags: 0,
};

describe('readMbFile', () => {
  it('reads a regular file with ProtectionClass, an NSMutableData key and a digest', () => {
    const blob = mbFileBlob(
      { ...BASE, ProtectionClass: 3, EncryptionKey: uid(4), Digest: bytes(20) },
      [{ $class: uid(5), 'NS.data': wrappedKey(3) }, cls('NSMutableData', 'NSData')],
    );
    expect(readMbFile(blob)).toEqual({
      relativePath: 'Library/Preferences/com.google.Translate.plist',
      size: 1562,
      mode: 33152,
      userId: 501,
      groupId: 501,
      inode: 23991207,
      lastModified: new Date('2023-04-21T20:32:33Z'),
      lastStatusChange: new Date('2023-04-21T20:32:34Z'),
      birth: new Date('2021-09-13T05:31:34Z'),
      protectionClass: 3,
      encryptionKey: wrappedKey(3),
      digest: bytes(20),
      target: null,
      flags: 0,
      extendedAttributes: null,
    });
  });

  it('reads an EncryptionKey whose NS.data is a UID, with ProtectionClass missing', () => {
    const blob = mbFileBlob({ ...BASE, EncryptionKey: uid(4) }, [
      { $class: uid(5), 'NS.data': uid(6) },
      cls('NSMutableData', 'NSData'),
      wrappedKey(4),
    ]);
    const file = readMbFile(blob);
    expect(file.protectionClass).toBeNull();
    expect(file.encryptionKey).toEqual(wrappedKey(4));
    expect(keyProtectionClass(file.encryptionKey ?? new Uint8Array(0))).toBe(4);
  });

  it('reads an NSData key object that carries fields beyond NS.data', () => {
    const blob = mbFileBlob({ ...BASE, EncryptionKey: uid(4) }, [
      { $class: uid(5), 'NS.data': wrappedKey(2), extra: 1 },
      cls('NSMutableData', 'NSData'),
    ]);
    expect(readMbFile(blob).encryptionKey).toEqual(wrappedKey(2));
  });

  it('reads a symlink Target and keeps ExtendedAttributes as stored', () => {
    const xattrs = writeBinaryPlist({ 'com.apple.quarantine': bytes(4) });
    const blob = mbFileBlob(
      { ...BASE, Mode: 41453, Size: 0, Target: uid(4), ExtendedAttributes: uid(5) },
      ['/var/db/timezone/zoneinfo/America/Vancouver', xattrs],
    );
    const file = readMbFile(blob);
    expect(file.mode).toBe(0o120755);
    expect(file.target).toBe('/var/db/timezone/zoneinfo/America/Vancouver');
    expect(file.extendedAttributes).toEqual(xattrs);
  });

  it('gives null for every missing field, and for $null references', () => {
    const blob = writeBinaryPlist(
      archive(['$null', { $class: uid(2), RelativePath: uid(0) }, cls('MBFile')]),
    );
    expect(readMbFile(blob)).toEqual({
      relativePath: null,
      size: null,
      mode: null,
      userId: null,
      groupId: null,
      inode: null,
      lastModified: null,
      lastStatusChange: null,
      birth: null,
      protectionClass: null,
      encryptionKey: null,
      digest: null,
      target: null,
      flags: null,
      extendedAttributes: null,
    });
  });

  it('keeps an empty RelativePath (the domain root) as ""', () => {
    const blob = writeBinaryPlist(
      archive(['$null', { $class: uid(2), RelativePath: uid(3) }, cls('MBFile'), '']),
    );
    expect(readMbFile(blob).relativePath).toBe('');
  });

  it('refuses malformed blobs and fields', () => {
    expect(errorOf(() => readMbFile(new TextEncoder().encode('SQLite format 3'))).message).toMatch(
      /bplist00/,
    );
    expect(errorOf(() => readMbFile(writeBinaryPlist({ a: 1 }))).message).toMatch(/no \$archiver/);
    expect(
      errorOf(() => readMbFile(writeBinaryPlist(archive(['$null', 'just a string'])))).message,
    ).toBe('MBFile archive: $top.root is a string, not an object');
    expect(
      errorOf(() =>
        readMbFile(writeBinaryPlist(archive(['$null', { $class: uid(2) }, cls('MBFileX')]))),
      ).message,
    ).toBe('MBFile archive: $top.root is MBFileX, not an MBFile');
    expect(errorOf(() => readMbFile(mbFileBlob({ ...BASE, Size: 'big' }))).message).toBe(
      'MBFile Size is a string, expected an integer',
    );
    expect(errorOf(() => readMbFile(mbFileBlob({ ...BASE, Mode: 1.5 }))).message).toBe(
      'MBFile Mode is a real, expected an integer',
    );
    expect(errorOf(() => readMbFile(mbFileBlob({ ...BASE, RelativePath: 5 }))).message).toBe(
      'MBFile RelativePath is an integer, expected a string',
    );
    expect(errorOf(() => readMbFile(mbFileBlob({ ...BASE, Birth: 'yesterday' }))).message).toBe(
      'MBFile Birth is a string, expected Unix seconds',
    );
    expect(errorOf(() => readMbFile(mbFileBlob({ ...BASE, EncryptionKey: 'key' }))).message).toBe(
      'MBFile EncryptionKey is a string, expected data',
    );
  });
});

describe('keyProtectionClass', () => {
  it('reads the little-endian prefix, or null when the key is too short', () => {
    expect(keyProtectionClass(wrappedKey(3))).toBe(3);
    expect(keyProtectionClass(wrappedKey(3).subarray(0, 3))).toBeNull();
    expect(keyProtectionClass(wrappedKey(0x01020304).subarray(0, 4))).toBe(0x01020304);
  });
});
