import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPowerLog } from '../../formats/powerlog/testing/synthetic';
import { buildTarGz } from '../../formats/tar/testing/tar-writer';
import { fuzzOptions } from '../../testing/fuzz';
import { byteMutation, mutateBytes } from '../../testing/mutate';
import type { ParseItem } from '../importer';
import { powerLogImporter } from '../powerlog';
import { bytesSource, testContext } from '../testing/source-input';
import { sysdiagnoseImporter } from '.';

// Damaged archives and PowerLogs: random byte edits never crash or hang the sniffs and parses;
// whatever is yielded is a refusal, a note, a member, or a record with a plausible instant.

const ROOT = 'sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404';
const PL = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const T = Date.UTC(2021, 11, 16, 10) / 1000;
const POWERLOG = buildPowerLog({
  PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: -5 }],
  PLSpringBoardAgent_EventForward_SBLock: [
    { timestamp: T + 10, Locked: 1 },
    { timestamp: T + 20, Locked: 0 },
  ],
  PLSpringBoardAgent_EventForward_SBBlank: [{ timestamp: T + 5, Blanked: 1 }],
  PLScreenStateAgent_EventForward_ScreenState: [{ timestamp: T + 7, bundleID: 'a', Display: 0 }],
});
const ARCHIVE = buildTarGz([
  { name: `${ROOT}/`, type: '5' },
  { name: 'x', pax: { path: `${ROOT}/logs/powerlogs/${PL}` }, content: POWERLOG },
  { name: `${ROOT}/logs/a.log`, content: 'x'.repeat(700) },
]);
const MIN = Date.UTC(2007, 0, 1);
const MAX = Date.UTC(2100, 0, 1);

async function drain(items: AsyncIterable<ParseItem[]>): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const batch of items) {
    for (const item of batch) {
      if (item.type === 'member') {
        // A member's bytes are readable whole, and its PowerLog parses without a crash.
        out.push(
          ...(await drain(
            powerLogImporter.parse(
              item.source,
              testContext({ timeZone: 'UTC', hints: item.hints ?? {} }),
            ),
          )),
        );
      }
      out.push(item);
    }
  }
  return out;
}

function checkItems(items: readonly ParseItem[]): void {
  for (const i of items) {
    expect([
      'member',
      'refusal',
      'warning',
      'progress',
      'device-state',
      'device-state-coverage',
      'clock',
    ]).toContain(i.type);
    if (i.type === 'device-state') {
      expect(i.from.ms).toBeGreaterThanOrEqual(MIN);
      expect(i.to?.ms ?? i.from.ms).toBeLessThanOrEqual(MAX);
      expect(i.to === null || i.to.ms > i.from.ms).toBe(true);
      expect(['screen', 'lock', 'foreground']).toContain(i.kind);
    }
  }
}

describe('damaged sysdiagnose archives and PowerLogs (property)', () => {
  it('a byte-edited archive is sniffed and parsed without a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), async (muts) => {
        const bytes = mutateBytes(ARCHIVE, muts);
        const r = sysdiagnoseImporter.sniff({
          kind: 'file',
          name: `${ROOT}.tar.gz`,
          size: bytes.length,
          head: bytes.subarray(0, 65536),
        });
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        checkItems(
          await drain(
            sysdiagnoseImporter.parse(bytesSource(bytes, `${ROOT}.tar.gz`), testContext()),
          ),
        );
      }),
      fuzzOptions(60),
    );
  });

  it('a byte-edited PowerLog is refused or read with plausible instants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), async (muts) => {
        const bytes = mutateBytes(POWERLOG, muts);
        powerLogImporter.sniff({
          kind: 'file',
          name: PL,
          size: bytes.length,
          head: bytes.subarray(0, 65536),
        });
        checkItems(
          await drain(
            powerLogImporter.parse(
              bytesSource(bytes, PL),
              testContext({ timeZone: 'Europe/Lisbon' }),
            ),
          ),
        );
      }),
      fuzzOptions(60),
    );
  });
});
