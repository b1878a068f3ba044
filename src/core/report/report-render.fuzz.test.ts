import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import { FINDING_RULES } from '../../contract/findings';
import type { Device, SourceInfo } from '../../contract/records';
import { fuzzOptions, fuzzing } from '../testing/fuzz';
import { answerModel } from './pdf/answer-model';
import { renderReportPdf, type ReportInput } from './report-pdf';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 1) / DAY;

/** Names a report must set without failing: CJK, right-to-left, mixed, empty and plain ones. */
const name = fc.oneof(
  fc.constantFrom('微信', '支付宝', 'واتساب', 'תמונות', 'WeChat 微信 עברית', '', ' ', 'Ω\u200f'),
  fc.string({ maxLength: 24, unit: 'grapheme' }),
);
const instant = fc.oneof(
  fc.integer({ min: (D0 - 30) * DAY, max: (D0 + 30) * DAY }),
  fc.constantFrom(0, -1, 8.64e15, Number.NaN),
);

const deviceArb = (id: number): fc.Arbitrary<Device> =>
  fc.record({
    id: fc.constant(id),
    label: name,
    platform: fc.constantFrom('ios', 'android') as fc.Arbitrary<Device['platform']>,
    model: fc.option(fc.oneof(name, fc.constantFrom('iPhone15,2', 'iPad13,1')), { nil: null }),
    osVersion: fc.option(name, { nil: null }),
    timeZone: fc.constant(null),
    offsetMin: fc.option(fc.integer({ min: -720, max: 840 }), { nil: null }),
    identifiers: fc.constant({ udid: null, serial: null, imei: null, phoneNumber: null }),
    sources: fc.nat(3),
    createdAt: fc.constant(0),
  });

const caseArb: fc.Arbitrary<ReportInput> = fc
  .integer({ min: 0, max: 3 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => deviceArb(i + 1))))
  .chain((devices) => {
    const ids = devices.length > 0 ? devices.map((d) => d.id) : [1];
    const deviceId = fc.constantFrom(...ids);
    const category = fc.constantFrom(...CATEGORIES);
    const finding = fc.record({
      id: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `f:${s}`),
      rule: fc.constantFrom(...FINDING_RULES),
      severity: fc.constantFrom('high', 'medium', 'low', 'info') as fc.Arbitrary<
        'high' | 'medium' | 'low' | 'info'
      >,
      deviceId,
      device: name,
      app: fc.option(name, { nil: null }),
      appName: fc.option(name, { nil: null }),
      category: fc.option(category, { nil: null }),
      count: fc.nat(1000),
      first: fc.option(fc.constantFrom('2024-01-02T01:12:09+08:00', 'not a date'), { nil: null }),
      last: fc.constant(null),
      title: name.map((s) => `${s} read the photo library for 45 seconds`),
      caveat: name,
      evidence: fc.array(fc.string({ maxLength: 10 }), { maxLength: 15 }),
      details: fc.constant({}),
    });
    const source = fc.record({
      id: fc.nat(10),
      deviceId,
      importer: fc.constantFrom('ios-app-privacy-report', 'ios-backup-tcc', 'android-dumpsys', 'x'),
      importerVersion: fc.constant('1'),
      path: name,
      fileName: name,
      size: fc.nat(),
      sha256: fc.constant('0'.repeat(64)),
      importedAt: fc.constant(D0 * DAY),
      counts: fc.record({
        lines: fc.nat(9),
        access: fc.nat(9),
        network: fc.nat(9),
        sessions: fc.nat(9),
        openSessions: fc.nat(9),
        records: fc.nat(9),
      }),
      duplicateLines: fc.constant(0),
      alreadyStored: fc.constant(0),
      warnings: fc.constant(0),
      dataFrom: fc.option(instant, { nil: null }),
      dataTo: fc.option(instant, { nil: null }),
    }) as fc.Arbitrary<SourceInfo>;
    const day = fc.integer({ min: D0 - 5, max: D0 + 40 });
    const heatmap = fc.option(
      fc.record({
        fromDay: fc.constant(D0),
        toDay: fc.integer({ min: D0, max: D0 + 40 }),
        cells: fc.array(
          fc.record({
            day,
            hour: fc.integer({ min: 0, max: 23 }),
            sessions: fc.integer({ min: 1, max: 5000 }),
            busyMs: fc.nat(),
          }),
          { maxLength: 30 },
        ),
        observed: fc.option(
          fc.array(
            fc.record({
              deviceId,
              label: name,
              offsetMin: fc.integer({ min: -720, max: 840 }),
              ranges: fc.array(fc.tuple(day, day), { maxLength: 4 }),
            }),
            { maxLength: 3 },
          ),
          { nil: undefined },
        ),
      }),
      { nil: undefined },
    );
    return fc.record({
      caseName: name,
      exportedAt: fc.constant(new Date(D0 * DAY)),
      timeZone: fc.constant('UTC'),
      toolVersion: fc.constant('0.0.0'),
      fingerprint: fc.constant('F'),
      devices: fc.constant(devices),
      filterText: fc.oneof(
        name,
        fc.constant('{"devices":[1,2],"categories":["photos"],"from":"2024-01-01"}'),
        fc.constant('{"apps":[42]}'),
      ),
      summary: fc.constant([]),
      findings: fc.array(finding, { maxLength: 6 }),
      sources: fc.array(source, { maxLength: 3 }),
      heatmap,
      excerpts: fc.constant({}),
      redaction: fc.constant({ contexts: false, apps: 0, identifiersMasked: true }),
    }) as fc.Arbitrary<ReportInput>;
  });

describe('report rendering', () => {
  it('builds page 1 for any small case without throwing, never showing a filter as JSON', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const m = answerModel(input);
        expect(m.filter).not.toMatch(/^\{/);
        const ids = input.devices.map((d) => d.id);
        expect(m.devices.every((d) => ids.includes(d.deviceId))).toBe(true);
        if (!input.heatmap?.observed) expect(m.devices).toHaveLength(input.devices.length);
      }),
      fuzzOptions(300),
    );
  });

  it(
    'renders a PDF for any small case: no device, a device without data, CJK and RTL names',
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (input) => {
          const pdf = await renderReportPdf(input);
          expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        }),
        fuzzOptions(12),
      );
    },
    fuzzing() ? 0 : 60_000,
  );
});
