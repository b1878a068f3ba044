import type { Keybag } from './keybag';

// Published test vectors, as tabulated in ios-backup.md §9 (test data for the tests beside this
// file). Hex strings; keybags are rebuilt from the tables with `buildKeybag`.

const zeros = (n: number) => new Uint8Array(n);
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** §9.3: RFC 3394 §4.6, 256-bit KEK wrapping 256-bit key data. */
export const RFC3394_VECTOR = {
  kek: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  keyData: '00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f',
  wrapped: '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21',
} as const;

/** §9.1: the synthetic end-to-end vector, password `0000` (pyiosbackup's test data). */
export const SYNTHETIC_VECTOR = {
  password: '0000',
  wpky: '528c9c5171bf8bef1ea397cf29d2a838c90529df02a6ad2f823a1c6f3a5b2040e2a309c520c6a2ab',
  round1: '1e8bf0bd2f08aca606dfcf6b3ab19a3307f12cfc15c787b10eb7f5ecb957b987',
  kek: 'ec8edc160b5745ccae000bfb4787630f322821191fba7eea38feab2c6307cd9b',
  manifestKey:
    '02000000' + '97317494343807e690fd1e431413963dc0e3deb4907fb89fa36ce65126d0ea1301381fb3a2941e2f',
  fixtureFile: 'encrypted-manifest-password-0000.bin',
  fixtureSha256: 'b25bd6478a9b60a4030b8045b4ee9fad35697c20919f55ea60251360c3f90ded',
  ciphertextHead: '5c1fedffc55ab608b8c02c71f2a2e8f1',
  fileId: '5727bd1c5fa1055e15d8b4a75a74793c84b5ffdc',
  fileCiphertext: '78b51ca5374c3ad575174288688cda49',
  fileSize: 9,
} as const;

/** §9.1: the keybag of the synthetic vector, rebuilt from its table. */
export function syntheticKeybag(): Keybag {
  const wpky = hex(SYNTHETIC_VECTOR.wpky);
  const record = (protectionClass: number, wrap: number) => ({
    uuid: zeros(16),
    protectionClass,
    wrap,
    keyType: 0,
    wpky,
  });
  return {
    version: 5,
    type: 1,
    uuid: zeros(16),
    hmck: zeros(40),
    wrap: 0,
    salt: zeros(20),
    iterations: 10_000,
    dpwt: 1,
    dpic: 10_000_000,
    dpsl: zeros(20),
    classes: [
      ...[11, 10, 9, 5].map((c) => record(c, 3)),
      ...[8, 7, 6, 4, 3, 2, 1].map((c) => record(c, 2)),
    ],
  };
}

/** §9.2: one hashcat keybag vector (password `hashcat`). */
export interface HashcatVector {
  name: string;
  wpky: string;
  iterations: number;
  salt: string;
  dpic?: number;
  dpsl?: string;
  round1?: string;
  kek: string;
  classKey: string;
}

/** §9.2: hashcat modes 14800 (iOS ≥ 10.2) and 14700 (before). */
export const HASHCAT_VECTORS: readonly HashcatVector[] = [
  {
    name: '14800 self-test (DPIC 1000)',
    wpky: '17a3b858e79bc273be43a9f113b71efe7ec8e7e401396b350180b4592ef45db67ffef7b2d64329a5',
    iterations: 10_000,
    salt: '2721336781705041205314422175267631184867',
    dpic: 1000,
    dpsl: '99fafc983e732998adb9fadc162a2e382143f115',
    round1: '9cc8d5a8d95a97a42b32441226c36939138d7d75dd1994360161dc2aaad32a3e',
    kek: 'ca1bdd8196307fe1e2ed421321267d96e2988bf12f736035192cfed20ec823ea',
    classKey: '2ed7042e87b50000fa6ba698661c000013194470a1f70000c35bd72ce0360000',
  },
  {
    name: '14800 wiki example (DPIC 10,000,000)',
    wpky: '8b715f516ff8e64442c478c2d9abb046fc6979ab079007d3dbcef3ddd84217f4c3db01362d88fa68',
    iterations: 10_000,
    salt: '2353363784073608264337337723324886300850',
    dpic: 10_000_000,
    dpsl: '425b4bb4e200b5fd4c66979c9caca31716052063',
    round1: '0f0b30df2907fb4835002b4dbcd131a6112a6b6ee37de1d642f74f96bd57282b',
    kek: 'aaedbb211064488c143d639b527786f63362c24f81203be94caf2efcf6f398b8',
    classKey: '5b6e248287b50000633fe25c661c000073d8cee4a1f70000463e0290e0360000',
  },
  {
    name: '14700 self-test (pre-10.2)',
    wpky: 'ebd7f9b33293b2511f0a4139d5b213feff51476968863cef60ec38d720497b6ff39a0bb63fa9f84e',
    iterations: 10_000,
    salt: '2202015774208421818002001652122401871832',
    kek: 'a29e0b44321c66a8f34c587ce924421e37231a3f020598a9a1a2ccdb71b424db',
    classKey: 'd684b4867dd1000012ddecf958080000d3c202a1ab73000070ef26e352020000',
  },
  {
    name: '14700 wiki example (pre-10.2)',
    wpky: 'b8e3f3a970239b22ac199b622293fe4237b9d16e74bad2c3c3568cd1bd3c471615a6c4f867265642',
    iterations: 10_000,
    salt: '4542263740587424862267232255853830404566',
    kek: '274deb9da2cc41e5316a8f740b6bff41885b475252dfeb0488d4cb0ebed5db7c',
    classKey: 'ef6350dc7dd100005d63c19758080000d16b7de7ab7300000f6187b152020000',
  },
];

/** A one-class backup keybag holding a hashcat vector's WPKY (class 1, password-wrapped). */
export function hashcatKeybag(v: HashcatVector): Keybag {
  const kb: Keybag = {
    version: v.dpic === undefined ? 3 : 5,
    type: 1,
    uuid: zeros(16),
    salt: hex(v.salt),
    iterations: v.iterations,
    classes: [{ uuid: zeros(16), protectionClass: 1, wrap: 2, keyType: 0, wpky: hex(v.wpky) }],
  };
  if (v.dpic !== undefined && v.dpsl !== undefined) {
    kb.dpwt = 1;
    kb.dpic = v.dpic;
    kb.dpsl = hex(v.dpsl);
  }
  return kb;
}
