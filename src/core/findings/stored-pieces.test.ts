import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCase, type TempCase } from '../testing/temp-case';
import { evidencePiecesOfRow } from './stored';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

/** Stores a finding whose evidence column is `evidence`; its row id. */
function stored(evidence: string): number {
  return Number(
    t.session.db
      .prepare(
        `INSERT INTO stored_findings (device_id, rule, seq, finding, evidence_total, evidence_head, evidence)
         VALUES (1, 'night-access', (SELECT count(*) FROM stored_findings), '{}', 0, '[]', ?)`,
      )
      .run(evidence).lastInsertRowid,
  );
}

describe('a stored evidence column read in pieces', () => {
  it('joins into the column, each piece at most 60,000 bytes, none empty but a first', () => {
    for (const length of [1, 59_999, 60_000, 60_001, 150_000, 960_000]) {
      const column = Array.from({ length }, (_, i) => 'abcdefghij'[i % 10]).join('');
      const pieces = evidencePiecesOfRow(t.session.db, stored(column));
      expect(pieces, String(length)).not.toBeNull();
      expect(pieces!.join('')).toBe(column);
      expect(pieces!.every((p) => p.length <= 60_000)).toBe(true);
      expect(pieces!.slice(1).every((p) => p !== '')).toBe(true);
    }
  });

  it('is none for a column longer than its pieces or a row that is not there', () => {
    expect(evidencePiecesOfRow(t.session.db, stored('x'.repeat(960_001)))).toBeNull();
    expect(evidencePiecesOfRow(t.session.db, 987_654)).toBeNull();
  });

  it('shows a character cut between two pieces as one its reader refuses', () => {
    // `é` is two bytes: at 59,999 it is cut by the first piece's end.
    const column = `${'a'.repeat(59_999)}é${'b'.repeat(10)}`;
    const pieces = evidencePiecesOfRow(t.session.db, stored(column))!;
    expect(pieces.some((p) => Buffer.byteLength(p, 'utf8') !== p.length)).toBe(true);
    // Not cut: the whole column, which is not ASCII either.
    const whole = evidencePiecesOfRow(t.session.db, stored(`é${'a'.repeat(10)}`))!;
    expect(whole.join('')).toBe(`é${'a'.repeat(10)}`);
  });
});
