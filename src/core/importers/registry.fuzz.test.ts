// Recognition of any input: whatever the first bytes of a file or the names in a folder, every
// importer's sniff answers on its own (it never throws), with a confidence between 0 and 1 and a
// reason in words, leaves the probe as it was, and answers the same probe the same way; the
// registry chooses an importer only at or above its bar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import type { SniffProbe } from './importer';
import { IMPORTERS, MIN_CONFIDENCE, detect } from './registry';

const enc = new TextEncoder();

/** Openings of the formats the importers read, to be cut, mutated or followed by anything. */
const OPENINGS = [
  '{"type":"access","accessor":{"identifier":"com.example","identifierType":"bundleID"},"category":"photos","kind":"intervalBegin","timeStamp":"2024-05-01T10:00:00.000+02:00","identifier":"A"}\n',
  '{"type":"networkActivity","domain":"example.com","bundleID":"com.example","hits":3}\n',
  'PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000main_entry.txt',
  'PK\u0005\u0006',
  'SQLite format 3\u0000',
  'bplist00',
  '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>',
  'age-encryption.org/v1\n',
  'Current AppOps Service state:\n  Uid u0a100:\n    Package com.example:\n',
  '== dumpstate: 2025-06-18 19:20:45\n',
  '-------------------------------------------------------------------------------\nDUMP OF SERVICE appops:\n',
  '[ro.product.model]: [Pixel 8]\n',
  'sysdiagnose_2025.06.18_19-20-45+0100_iPhone-OS_iPhone_22F76/\u0000',
  '\ufeff{"type":"access"}',
];

const fileProbe: fc.Arbitrary<SniffProbe> = fc
  .tuple(
    fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // Heads as long as sniffing sees (64 KiB), of any bytes; not shrunk, as shrinking a
      // failure over tens of thousands of bytes takes longer than the test may.
      fc.noShrink(fc.uint8Array({ maxLength: 64 * 1024, size: 'large' })),
      // Whole openings, repeated, then anything: most of these are recognised.
      fc
        .tuple(
          fc.constantFrom(...OPENINGS),
          fc.integer({ min: 1, max: 6 }),
          fc.uint8Array({ maxLength: 100 }),
        )
        .map(([opening, times, tail]) => {
          const head = enc.encode(opening.repeat(times));
          const bytes = new Uint8Array(head.length + tail.length);
          bytes.set(head);
          bytes.set(tail, head.length);
          return bytes;
        }),
      fc
        .tuple(
          fc.constantFrom(...OPENINGS),
          fc.nat(),
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        )
        .map(([opening, cutAt, tail, flips]) => {
          const head = enc.encode(opening);
          const kept = head.subarray(0, cutAt % (head.length + 1));
          const bytes = new Uint8Array(kept.length + tail.length);
          bytes.set(kept);
          bytes.set(tail, kept.length);
          for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
          return bytes;
        }),
    ),
    fc.constantFrom(
      'x.ndjson',
      'App_Privacy_Report.json',
      'bugreport.zip',
      'appops.txt',
      'CurrentPowerlog.PLSQL',
      'sysdiagnose.tar.gz',
      'capture.age',
      'TCC.db',
      'noname',
      '',
    ),
    fc.oneof(fc.constant(0), fc.nat(), fc.constantFrom(2 ** 31, 2 ** 53 - 1)),
  )
  .map(([head, name, size]) => ({
    kind: 'file' as const,
    name,
    size: Math.max(size, head.length),
    head,
  }));

const MARKERS = [
  'Manifest.db',
  'Manifest.plist',
  'Info.plist',
  'Status.plist',
  'capture.json',
  'main_entry.txt',
  'version.txt',
  'acquisition.json',
  'dumpsys.txt',
  'getprop.txt',
  'packages.json',
  'bugreport.zip',
  'report.ndjson',
  '.hidden.txt',
  'notes.txt',
  'logs',
  'CurrentPowerlog.PLSQL',
  '00',
];
const folderProbe: fc.Arbitrary<SniffProbe> = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom(...MARKERS), fc.string({ maxLength: 30 })), {
      maxLength: 40,
    }),
    fc.string({ maxLength: 30 }),
  )
  .map(([entries, name]) => ({ kind: 'folder' as const, name, entries }));

describe('recognising any input', () => {
  it('every importer answers any probe with a confidence in [0, 1] and a reason, leaving it as it was', () => {
    let chosen = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.oneof(fileProbe, folderProbe), (probe) => {
        const copy =
          probe.kind === 'file'
            ? { ...probe, head: Uint8Array.from(probe.head) }
            : { ...probe, entries: [...probe.entries] };
        for (const importer of IMPORTERS) {
          const r = importer.sniff(probe);
          expect(Number.isFinite(r.confidence), importer.manifest.id).toBe(true);
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
          expect(typeof r.reason).toBe('string');
          expect(r.reason.trim().length, importer.manifest.id).toBeGreaterThan(0);
          // Asked again, the same answer: a sniff keeps nothing between probes.
          expect(importer.sniff(probe)).toEqual(r);
        }
        expect(probe).toEqual(copy);
        const d = detect(probe);
        runs += 1;
        if (d.chosen !== null) chosen += 1;
        expect(d.verdicts).toHaveLength(IMPORTERS.length);
        if (d.chosen !== null) {
          const best = Math.max(...d.verdicts.map((v) => v.result.confidence));
          expect(best).toBeGreaterThanOrEqual(MIN_CONFIDENCE);
          expect(d.verdicts.find((v) => v.importer === d.chosen)!.result.confidence).toBe(best);
        } else {
          for (const v of d.verdicts) expect(v.result.confidence).toBeLessThan(MIN_CONFIDENCE);
        }
      }),
      fuzzOptions(300),
    );
    // Both answers are drawn often: inputs recognised, and inputs no importer takes.
    expect(chosen).toBeGreaterThan(runs / 10);
    expect(chosen).toBeLessThan(runs * 0.9);
  });
});
