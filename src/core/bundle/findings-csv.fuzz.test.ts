import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import { csvField, guardFormula } from '../services/csv';
import { fuzzOptions } from '../testing/fuzz';
import { findingsCsvBytes, joinedTextCell } from './extras';
import { NO_REDACTION } from './redaction';

const piece = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('s:1:A', '=1+1', '"q"', 'a,b', '\r\n', ' x', "'", '＝', '\u0007', '😀'),
);

describe('findings.csv cells written piece by piece', () => {
  it('are the cell the table writes for the joined text', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 6 }),
        fc.constantFrom(' ', ' | ', ',', '"'),
        (pieces, sep) => {
          const expected = pieces.length === 0 ? '' : csvField(guardFormula(pieces.join(sep)));
          expect(joinedTextCell(pieces, sep)).toBe(expected);
        },
      ),
      fuzzOptions(500),
    );
  });

  it('make rows whose evidence cells are the joined ids and places, quoted as the text needs', () => {
    const finding = (id: string, evidence: string[]): Finding => ({
      id,
      rule: 'night-access',
      severity: 'medium',
      deviceId: 1,
      device: 'Phone',
      app: 'com.example',
      appName: null,
      category: 'camera',
      count: evidence.length,
      first: '2024-03-04T01:00:00.000+01:00',
      last: '2024-03-04T02:00:00.000+01:00',
      title: 'Title',
      caveat: 'Caveat',
      evidence,
      details: {},
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(piece, piece), { maxLength: 5 }), {
          minLength: 1,
          maxLength: 3,
        }),
        (rows) => {
          const where = new Map<string, string>();
          const findings = rows.map((pairs, n) => {
            const ids = pairs.map(([id], i) => `${id}#${n}.${i}`);
            pairs.forEach(([, w], i) => where.set(ids[i]!, w));
            return { shown: finding(`f:${n}`, ids), evidence: () => ids };
          });
          const placesOf = (
            _index: number,
            ids: readonly string[],
          ): { where: string[]; sources: string[] } => ({
            where: ids.map((id) => where.get(id)!),
            sources: ['abc:line 1'],
          });
          // In pieces of a few bytes: a piece ends only after a whole row.
          const chunks = [...findingsCsvBytes(findings, placesOf, NO_REDACTION, 7)];
          const text = Buffer.concat(chunks).toString('utf8');
          expect(chunks.map((c) => c.toString('utf8')).join('')).toBe(text);
          const lines = text.split('\r\n');
          findings.forEach(({ shown: f }, n) => {
            const ids = f.evidence;
            const idsCell = ids.length === 0 ? '' : csvField(guardFormula(ids.join(' ')));
            const placesCell =
              ids.length === 0
                ? ''
                : csvField(guardFormula(ids.map((id) => `${id} at ${where.get(id)!}`).join(' | ')));
            expect(text).toContain(`,${idsCell},abc:line 1,${placesCell}\r\n`);
            expect(lines.length).toBeGreaterThan(n + 1);
          });
        },
      ),
      fuzzOptions(300),
    );
  });

  it('write a finding of hundreds of ids as the table does, whatever id or place needs quotes', () => {
    const finding = (evidence: string[]): Finding => ({
      id: 'f:1',
      rule: 'night-access',
      severity: 'medium',
      deviceId: 1,
      device: 'Phone',
      app: 'com.example',
      appName: null,
      category: 'camera',
      count: evidence.length,
      first: null,
      last: null,
      title: 'Title',
      caveat: 'Caveat',
      evidence,
      details: {},
    });
    // Ids and places past the first few hundred (the ids are joined in batches) that need
    // quotes, escaping or more than one byte a character, and a first id needing the guard.
    const odd: [number, string, string][] = [
      [-1, '', ''],
      [400, 's:1:a,b', ''],
      [400, 's:1:a"b', ''],
      [400, 's:1:é', ''],
      [500, '', 'week.ndjson line "5"'],
      [500, '', 'wéek.ndjson line 5'],
      [0, '=s:1:x', ''],
    ];
    for (const [at, id, where] of odd) {
      const ids = Array.from({ length: 600 }, (_, i) => (i === at && id ? id : `s:1:k${i}`));
      const wheres = ids.map((_, i) =>
        i === at && where ? where : `week.ndjson line ${i}${i % 2 ? `, line ${i + 1}` : ''}`,
      );
      const text = Buffer.concat([
        ...findingsCsvBytes(
          [{ shown: finding(ids), evidence: () => ids }],
          () => ({ where: wheres, sources: [] }),
          NO_REDACTION,
        ),
      ]).toString('utf8');
      const idsCell = csvField(guardFormula(ids.join(' ')));
      const placesCell = csvField(
        guardFormula(ids.map((x, i) => `${x} at ${wheres[i]!}`).join(' | ')),
      );
      expect(text.endsWith(`,${idsCell},,${placesCell}\r\n`)).toBe(true);
    }
  });
});
