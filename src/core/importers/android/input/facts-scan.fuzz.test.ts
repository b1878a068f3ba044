import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../../testing/fuzz';
import { ContextPass } from '../capture-context';
import {
  Collector,
  DEFAULT_ANDROID_SERVICES,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_SECTION_CHARS,
  type Source,
} from './collector';
import { listMainText, splitSource } from './texts';

// The first read of a whole input wants only getprop: it searches the bytes for a getprop header
// and splits lines only from there. It must find exactly the properties a read that splits every
// line finds, whatever the text and however its bytes are cut into chunks.

const RULE = '-'.repeat(79);
const LINES = [
  RULE,
  'DUMP OF SERVICE appops:',
  'DUMP OF SERVICE getprop:',
  'DUMP OF SERVICE HIGH getprop:',
  '------ SYSTEM PROPERTIES (getprop) ------',
  '------   SYSTEM PROPERTIES ------',
  '------ SYSTEM PROPERTIES (a) (b) ------  ',
  '------ SYSTEM PROPERTIESX ------',
  "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------",
  '------ UPTIME (uptime) ------',
  '--------- 0.1s was the duration of dumpsys getprop, ending at: 2025-06-18 19:20:45',
  '[ro.product.model]: [Pixel 7]',
  '[ro.product.model]: [Pixel 8]',
  '[persist.sys.timezone]: [Europe/Lisbon]',
  '[ro.serialno]: [multi',
  'line value]',
  '[ro.build.version.sdk]: [34]',
  'text that names SYSTEM PROPERTIES and getprop: in passing',
  '== dumpstate: 2025-06-18 19:20:45',
  '',
  '   ',
  '\ufeff------ SYSTEM PROPERTIES ------',
];

/** A source whose bytes come in chunks of the given sizes (the last size repeats). */
function chunked(bytes: Buffer, sizes: readonly number[]): Source {
  return {
    name: 'main.txt',
    size: bytes.length,
    head: (n) => Promise.resolve(bytes.subarray(0, n)),
    async *chunks() {
      let at = 0;
      for (let i = 0; at < bytes.length; i += 1) {
        const n = sizes[Math.min(i, sizes.length - 1)]!;
        yield Uint8Array.from(bytes.subarray(at, at + n));
        at += n;
      }
    },
  };
}

/**
 * The properties the first getprop section gives, read whole, for the facts only, or by a folder's
 * listing of its main text (`'list'`, which stops reading after that section).
 */
async function props(bytes: Buffer, sizes: readonly number[], factsOnly: boolean | 'list') {
  const pass = new ContextPass(null);
  const c = new Collector(
    new Set(DEFAULT_ANDROID_SERVICES),
    DEFAULT_MAX_SECTION_CHARS,
    DEFAULT_MAX_JSON_BYTES,
    pass,
    factsOnly === true,
    new Set(),
    factsOnly === 'list',
  );
  if (factsOnly === 'list') await listMainText(chunked(bytes, sizes), c);
  else await splitSource(chunked(bytes, sizes), c);
  return [...pass.getprop.props];
}

const text = fc
  .record({
    lines: fc.array(fc.constantFrom(...LINES), { maxLength: 60 }),
    bom: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map(({ lines, bom, crlf }) =>
    Buffer.from((bom ? '\ufeff' : '') + lines.join(crlf ? '\r\n' : '\n'), 'utf8'),
  );

describe('the facts-only first read of a main text', () => {
  it('finds the same getprop properties as a read that splits every line, and so does a folder’s listing', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        async (bytes, sizes) => {
          const whole = await props(bytes, [65536], false);
          expect(await props(bytes, sizes, true)).toEqual(whole);
          expect(await props(bytes, sizes, 'list')).toEqual(whole);
        },
      ),
      fuzzOptions(300),
    );
  });

  it('passes over a getprop header inside a line too long to be read, as the whole read does', async () => {
    const long = `${'x'.repeat(1024 * 1024 + 10)} ------ SYSTEM PROPERTIES ------`;
    const bytes = Buffer.from(
      [
        long,
        '[ro.product.model]: [Wrong]',
        '------ SYSTEM PROPERTIES (getprop) ------',
        '[ro.product.model]: [Right]',
        '------ UPTIME (uptime) ------',
      ].join('\n'),
    );
    const whole = await props(bytes, [65536], false);
    expect(whole).toEqual([['ro.product.model', 'Right']]);
    expect(await props(bytes, [65536], true)).toEqual(whole);
    expect(await props(bytes, [4096, 100_000, 7], true)).toEqual(whole);
    expect(await props(bytes, [4096, 100_000, 7], 'list')).toEqual(whole);
  });

  it('treats a byte order mark opening a line inside the text as a whole read does', async () => {
    const bytes = Buffer.from(
      [
        'DUMP OF SERVICE appops:',
        '\ufeff------ SYSTEM PROPERTIES ------',
        '[ro.product.model]: [First]',
        '------ SYSTEM PROPERTIES ------',
        '[ro.product.model]: [Second]',
      ].join('\n'),
    );
    const whole = await props(bytes, [65536], false);
    // Each line is decoded on its own, so the mark is dropped and the line is a header.
    expect(whole).toEqual([['ro.product.model', 'First']]);
    expect(await props(bytes, [65536], true)).toEqual(whole);
    expect(await props(bytes, [30, 1], true)).toEqual(whole);
    // At the very start of the text the mark is stripped, as a whole read strips it.
    const first = Buffer.from('\ufeff------ SYSTEM PROPERTIES ------\n[ro.product.model]: [A]\n');
    expect(await props(first, [3], true)).toEqual([['ro.product.model', 'A']]);
    expect(await props(first, [65536], false)).toEqual([['ro.product.model', 'A']]);
  });

  it('reads a text without any getprop block through, finding nothing', async () => {
    const bytes = Buffer.from(`${RULE}\nDUMP OF SERVICE appops:\nCurrent AppOps Service state:\n`);
    expect(await props(bytes, [5], true)).toEqual([]);
  });
});
