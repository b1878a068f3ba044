import { hasBinaryPlistMagic, parseBinaryPlist } from './binary';
import { PlistError, type PlistValue } from './types';
import { parseXmlPlist } from './xml';

export { asArray, asBool, asData, asDate, asDict, asNumber, asString, asUid } from './accessors';
export { parseBinaryPlist } from './binary';
export { keyProtectionClass, readMbFile, unarchive, type MbFile } from './keyed-archive';
export {
  APPLE_EPOCH_SECONDS,
  PlistError,
  PlistUid,
  isPlistDict,
  type PlistDict,
  type PlistErrorLocation,
  type PlistValue,
} from './types';
export { writeBinaryPlist, writeXmlPlist } from './writer';
export { parseXmlPlist } from './xml';

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Parses a binary (`bplist00`) or XML property list, chosen by its first bytes. */
export function parsePlist(buf: Uint8Array): PlistValue {
  if (hasBinaryPlistMagic(buf)) return parseBinaryPlist(buf);
  const encoding = detectEncoding(buf);
  const head = decode(buf.subarray(0, 512), encoding, false)
    .replace(/^\ufeff/, '')
    .trimStart();
  if (head.startsWith('<?xml') || head.startsWith('<plist') || head.startsWith('<!DOCTYPE plist')) {
    return parseXmlPlist(decodeXml(buf, encoding));
  }
  throw new PlistError(`not a property list (looks like ${describeBytes(buf)})`, { offset: 0 });
}

// XML 1.0 appendix F: a byte-order mark, or the UTF-16 pattern of "<", names the encoding.
function detectEncoding(buf: Uint8Array): TextEncoding {
  const [b0, b1] = buf;
  if (b0 === 0xff && b1 === 0xfe) return 'utf-16le';
  if (b0 === 0xfe && b1 === 0xff) return 'utf-16be';
  if (b0 === 0x3c && b1 === 0x00) return 'utf-16le';
  if (b0 === 0x00 && b1 === 0x3c) return 'utf-16be';
  return 'utf-8';
}

function decode(bytes: Uint8Array, encoding: TextEncoding, fatal: boolean): string {
  if (encoding === 'utf-16be') {
    // Swapped by hand: TextDecoder's utf-16be depends on how Node was built.
    const swapped = new Uint8Array(bytes.length & ~1);
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      swapped[i] = bytes[i + 1] ?? 0;
      swapped[i + 1] = bytes[i] ?? 0;
    }
    return new TextDecoder('utf-16le', { fatal }).decode(swapped);
  }
  return new TextDecoder(encoding, { fatal }).decode(bytes);
}

function decodeXml(buf: Uint8Array, encoding: TextEncoding): string {
  let label: string = encoding;
  if (encoding === 'utf-8') {
    // An 8-bit encoding other than UTF-8 is honoured when the declaration names one.
    const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
      decode(buf.subarray(0, 256), 'utf-8', false).replace(/^\ufeff/, ''),
    )?.[1];
    if (declared !== undefined && !/^(utf-?8|us-ascii|ascii|utf-?16(le|be)?)$/i.test(declared)) {
      label = declared;
    }
  }
  try {
    if (label === 'utf-8' || label === 'utf-16le' || label === 'utf-16be') {
      return decode(buf, label, true);
    }
    return new TextDecoder(label).decode(buf);
  } catch (e) {
    const why = e instanceof RangeError ? 'an encoding this build cannot decode' : 'invalid bytes';
    throw new PlistError(`XML plist declared or detected as ${label} holds ${why}`);
  }
}

const SIGNATURES: ReadonlyArray<readonly [string, string]> = [
  ['SQLite format 3\0', 'an SQLite database'],
  ['mbdb\x05\x00', 'a Manifest.mbdb backup index'],
  ['PK\x03\x04', 'a ZIP archive'],
  ['\x1f\x8b', 'gzip data'],
  ['%PDF', 'a PDF document'],
  ['\x89PNG', 'a PNG image'],
  ['\xff\xd8\xff', 'a JPEG image'],
];

function describeBytes(buf: Uint8Array): string {
  if (buf.length === 0) return 'empty input';
  const latin1 = String.fromCharCode(...buf.subarray(0, 64));
  for (const [magic, what] of SIGNATURES) if (latin1.startsWith(magic)) return what;
  const text = latin1.replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'JSON';
  if (text.startsWith('<'))
    return `XML or HTML other than a plist, starting "${text.slice(0, 20)}"`;
  if (/^[\x20-\x7e\t\r\n]*$/.test(latin1)) return `text starting "${latin1.slice(0, 20).trim()}"`;
  const hex = [...buf.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `binary data starting ${hex}`;
}
