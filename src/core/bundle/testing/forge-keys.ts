import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  generatePrimeSync,
  type KeyObject,
} from 'node:crypto';

// Keys an attacker would build to pass the old fingerprint check, which hashed the last 32
// bytes of whatever key's DER: an RSA key whose public exponent ends in the examiner's Ed25519
// key, and an EC key with explicit curve parameters whose public point is the examiner's key.
// Both are real, working keys: Node signs and verifies with them.

/** A key pair an attacker controls, with the public key as it would sit in signer.pub.pem. */
export interface ForgedKey {
  privateKey: KeyObject;
  publicPem: string;
  /** The SubjectPublicKeyInfo DER as written in the PEM. */
  der: Buffer;
}

/** The old, unsafe fingerprint: SHA-256 of the last 32 bytes of the key's re-exported DER. */
export function oldFingerprint(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return (createHash('sha256').update(raw).digest('hex').match(/.{4}/g) ?? []).join(' ');
}

// NIST P-256 (FIPS 186-4, D.1.2.3): field prime, a, b and the group order (prime, cofactor 1).
const P256 = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

/**
 * An Ed25519 key pair both attacks can target: the last byte of its public key is odd (so it can
 * end an RSA exponent) and its 32 bytes are the x-coordinate of a P-256 point.
 */
export function attackableEd25519(): { privateKey: KeyObject; publicKey: KeyObject; raw: Buffer } {
  for (;;) {
    const pair = generateKeyPairSync('ed25519');
    const raw = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    if ((raw[31]! & 1) === 1 && p256PointWithX(raw) !== null) return { ...pair, raw };
  }
}

/** An RSA-2048 key whose SPKI ends in `raw`: its public exponent is 2^256 + raw (odd). */
export function rsaKeyEndingIn(raw: Buffer): ForgedKey {
  const e = (1n << 256n) | toBig(raw);
  for (;;) {
    const p = generatePrimeSync(1024, { bigint: true });
    const q = generatePrimeSync(1024, { bigint: true });
    const d = modInverse(e, (p - 1n) * (q - 1n));
    if (d === null || p === q) continue;
    const b64 = (x: bigint) => toBytes(x).toString('base64url');
    const privateKey = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'RSA',
        n: b64(p * q),
        e: b64(e),
        d: b64(d),
        p: b64(p),
        q: b64(q),
        dp: b64(d % (p - 1n)),
        dq: b64(d % (q - 1n)),
        qi: b64(modInverse(q, p)!),
      },
    });
    const publicKey = createPublicKey(privateKey);
    const der = publicKey.export({ format: 'der', type: 'spki' });
    return { privateKey, publicPem: pem('PUBLIC KEY', der), der };
  }
}

/**
 * An EC key on the P-256 curve written with explicit parameters whose base point is the point
 * with x = `raw`, and whose private key is 1: the public point is the base point, written
 * compressed, so the SPKI ends in `raw`. P-256 has prime order, so any point generates it.
 */
export function explicitEcKeyEndingIn(raw: Buffer): ForgedKey {
  const y = p256PointWithX(raw);
  if (y === null) throw new Error('The key is not the x-coordinate of a P-256 point.');
  const base = Buffer.concat([Buffer.from([4]), raw, toBytes(y, 32)]);
  const compressed = Buffer.concat([Buffer.from([y & 1n ? 3 : 2]), raw]);
  const params = der(
    0x30,
    derInt(1n),
    der(0x30, derOid('2a8648ce3d0101'), derInt(P256.p)),
    der(0x30, der(0x04, toBytes(P256.a, 32)), der(0x04, toBytes(P256.b, 32))),
    der(0x04, base),
    derInt(P256.n),
    derInt(1n),
  );
  const spki = der(
    0x30,
    der(0x30, derOid('2a8648ce3d0201'), params),
    der(0x03, Buffer.from([0]), compressed),
  );
  const sec1 = der(
    0x30,
    derInt(1n),
    der(0x04, toBytes(1n, 32)),
    der(0xa0, params),
    der(0xa1, der(0x03, Buffer.from([0]), compressed)),
  );
  return {
    privateKey: createPrivateKey({ key: sec1, format: 'der', type: 'sec1' }),
    publicPem: pem('PUBLIC KEY', spki),
    der: spki,
  };
}

/** A PEM block of `label` around `der`, lines of 64 characters. */
export function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A DER element: tag, definite length, content. */
export function der(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function derInt(x: bigint): Buffer {
  const b = toBytes(x);
  return der(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function derOid(hex: string): Buffer {
  return der(0x06, Buffer.from(hex, 'hex'));
}

function p256PointWithX(raw: Buffer): bigint | null {
  const { p, a, b } = P256;
  const x = toBig(raw);
  if (x >= p) return null;
  const v = (((x * x * x + a * x + b) % p) + p) % p;
  // p ≡ 3 (mod 4): a square root of v is v^((p+1)/4) when v is a square.
  const y = modPow(v, (p + 1n) / 4n, p);
  return (y * y) % p === v ? y : null;
}

function toBig(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

function toBytes(x: bigint, length = 0): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex.padStart(length * 2, '0'), 'hex');
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function modInverse(a: bigint, m: bigint): bigint | null {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % m) + m) % m : null;
}
