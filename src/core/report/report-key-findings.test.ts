import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daily, writeSessions } from '../findings/test-sessions';
import { tempCase, type TempCase } from '../testing/temp-case';
import { answerModel } from './pdf/answer-model';
import { reportKeyFindings } from './report-key-findings';
import type { ReportInput } from './report-pdf';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
  // An app reading photos at 02:10 on 12 days, and Apple's Camera using the camera at night.
  writeSessions(t.session.db, t.deviceId, [
    ...daily('com.tencent.xin', 'photos', 12, 2 * 60 + 10, 45),
    ...daily('com.apple.camera', 'camera', 5, 60, 30),
  ]);
});
afterEach(() => t.cleanup());

const same = { text: (s: string) => s, maybe: (s: string | null) => s };

describe('report key findings', () => {
  it('takes the key findings of the case, with their sentences, for page 1', () => {
    const keys = reportKeyFindings(t.session.db, undefined, same);
    expect(keys.map((k) => [k.app, k.category, k.severity])).toEqual([
      ['com.tencent.xin', 'photos', 'high'],
    ]);
    expect(keys[0]!.sentence).toContain('observed days');
    const input = {
      devices: [{ id: t.deviceId, label: 'Phone A', offsetMin: 0 }],
      findings: [],
      summary: [],
      sources: [],
      filterText: '',
      keyFindings: keys,
    } as unknown as ReportInput;
    expect(answerModel(input).items.map((i) => i.sentence)).toEqual([keys[0]!.sentence]);
  });

  it('puts every text through the redaction', () => {
    const hide = (s: string): string => s.replaceAll('com.tencent.xin', 'redacted-app-1');
    const keys = reportKeyFindings(t.session.db, undefined, {
      text: hide,
      maybe: (s) => (s === null ? null : hide(s)),
    });
    expect(JSON.stringify(keys)).not.toContain('com.tencent.xin');
    expect(keys[0]!.app).toBe('redacted-app-1');
  });
});
