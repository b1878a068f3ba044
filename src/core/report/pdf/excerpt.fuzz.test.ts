import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import PDFDocument from 'pdfkit';
import { type ExcerptDeviceState, drawExcerpt } from './excerpt';
import { SANS, reportFontPaths } from './layout';
import { renderReportPdf } from './render';
import type { ReportInput } from './types';

// The timeline excerpt draws whatever device state it is handed: stretches outside the window,
// reversed, overlapping, at extreme or non-finite instants, thousands of them, or none; unknown
// bases and device labels in any script. The report is always written.

const T0 = Date.UTC(2024, 4, 1);
const instant = fc.oneof(
  fc.integer({ min: T0 - 86_400_000, max: T0 + 3 * 86_400_000 }),
  fc.constantFrom(-8.64e15, 8.64e15, Number.NaN, Number.POSITIVE_INFINITY, 0),
);
const stretch = fc.record({ fromMs: instant, toMs: instant });
const label = fc.oneof(
  fc.constantFrom('Phone A', '微信的手机', 'هاتف', ''),
  fc.string({ maxLength: 20 }),
);

const stateArb: fc.Arbitrary<ExcerptDeviceState> = fc.record({
  deviceId: fc.constant(1),
  recorded: fc.boolean(),
  fromMs: instant,
  toMs: instant,
  coverage: fc.array(
    fc.record({
      kind: fc.constantFrom('screen', 'lock') as fc.Arbitrary<'screen' | 'lock'>,
      fromMs: instant,
      toMs: instant,
    }),
    { maxLength: 30 },
  ),
  bands: fc.array(
    stretch.chain((s) =>
      fc.record({
        kind: fc.constantFrom('screen-off', 'locked') as fc.Arbitrary<'screen-off' | 'locked'>,
        fromMs: fc.constant(s.fromMs),
        toMs: fc.constant(s.toMs),
        basis: fc.oneof(fc.constantFrom('powerlog', 'usagestats+batterystats'), fc.string()),
      }),
    ),
    { maxLength: 30 },
  ),
  bases: fc.array(fc.oneof(fc.constantFrom('powerlog', 'batterystats'), fc.string()), {
    maxLength: 4,
  }),
});

function input(
  marks: { ms: number; durationMs: number }[],
  state: ExcerptDeviceState,
  device: string,
): ReportInput {
  return {
    caseName: 'Case',
    exportedAt: new Date(T0),
    timeZone: 'UTC',
    toolVersion: '1',
    fingerprint: 'SHA256:test',
    devices: [],
    filterText: 'none',
    summary: [],
    findings: [
      {
        id: 'f:1',
        rule: 'night-access',
        severity: 'high',
        deviceId: 1,
        device,
        app: 'com.example.app',
        appName: null,
        category: 'photos',
        count: marks.length,
        first: null,
        last: null,
        title: 'An app read the photo library at night',
        caveat: 'As reported.',
        evidence: [],
        details: {},
      },
    ],
    sources: [],
    excerpts: { 'f:1': marks },
    excerptStates: { 'f:1': state },
    redaction: { contexts: false, apps: 0, identifiersMasked: true },
  };
}

/** Draws one excerpt on a page and returns every number given to a drawing call. */
function drawnNumbers(
  marks: { ms: number; durationMs: number }[],
  state: ExcerptDeviceState,
  device: string,
): number[] {
  const doc = new PDFDocument({ size: 'A4', margin: 50 });
  doc.registerFont(SANS, reportFontPaths().regular);
  doc.font(SANS);
  const seen: number[] = [];
  const target = doc as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['rect', 'moveTo', 'lineTo', 'text']) {
    const original = target[method]!.bind(doc);
    target[method] = (...args: unknown[]) => {
      for (const a of args) if (typeof a === 'number') seen.push(a);
      return original(...args);
    };
  }
  doc.y = 100;
  drawExcerpt(doc, 136, 400, marks, null, null, { ...state, deviceLabel: device });
  doc.end();
  return seen;
}

describe('timeline excerpt with device state', () => {
  it('draws only at finite places, whatever instants it is given', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ms: instant, durationMs: fc.oneof(fc.nat(7_200_000), instant) }), {
          maxLength: 20,
        }),
        stateArb,
        label,
        (marks, state, device) => {
          for (const n of drawnNumbers(marks, state, device)) expect(Number.isFinite(n)).toBe(true);
        },
      ),
      fuzzOptions(100),
    );
  });

  it('renders any device state it is given', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ms: instant, durationMs: fc.oneof(fc.nat(7_200_000), instant) }), {
          minLength: 1,
          maxLength: 20,
        }),
        stateArb,
        label,
        async (marks, state, device) => {
          const pdf = await renderReportPdf(input(marks, state, device));
          expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        },
      ),
      fuzzOptions(15),
    );
  }, 60_000);

  it('renders thousands of stretches in one excerpt', async () => {
    const bands = Array.from({ length: 5000 }, (_, i) => ({
      kind: i % 2 ? ('locked' as const) : ('screen-off' as const),
      fromMs: T0 + i * 60_000,
      toMs: T0 + i * 60_000 + 30_000,
      basis: 'usagestats',
    }));
    const coverage = Array.from({ length: 2000 }, (_, i) => ({
      kind: i % 2 ? ('lock' as const) : ('screen' as const),
      fromMs: T0 + i * 150_000,
      toMs: T0 + i * 150_000 + 100_000,
    }));
    const pdf = await renderReportPdf(
      input(
        [
          { ms: T0, durationMs: 1000 },
          { ms: T0 + 5000 * 60_000, durationMs: 1000 },
        ],
        {
          deviceId: 1,
          recorded: true,
          fromMs: T0,
          toMs: T0 + 5000 * 60_000 + 1000,
          coverage,
          bands,
          bases: ['usagestats'],
        },
        'Phone A',
      ),
    );
    expect(pdf.length).toBeGreaterThan(1000);
  }, 60_000);
});
