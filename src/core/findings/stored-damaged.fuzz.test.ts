import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import type { Db } from '../db/open';
import { jsonObject } from '../model/json';
import { queryFindingsList } from '../services/findings-service';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { leanEvidenceOf } from '../bundle/extras';
import { placeBytes } from '../bundle/evidence-sources';
import { EVIDENCE_CAP } from './common';
import { findingsWithEvidence } from './engine';
import { readKeyFindings } from './key-findings-store';
import { keyFindings } from './key-findings';
import {
  FindingsPendingError,
  refreshFindings,
  serveStoredFindingsOnly,
  staleFindingDevices,
  storedEvidenceColumn,
} from './stored';
import { storedEvidenceItems } from './stored-evidence-items';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/**
 * Every finding with its whole evidence, read through the stored findings when they answer; the
 * byte paths (`findings --json` and `findings.csv`) read the same ids wherever they take a column.
 */
function answers(db: Db, shown: number): { findings: Finding[]; evidence: string[][] } {
  const { findings, evidenceOf, evidenceWithEdges } = findingsWithEvidence(db, {}, {}, shown);
  const evidence = findings.map((f) => evidenceOf(f));
  const lean = leanEvidenceOf(db, placeBytes(db));
  for (const [i, f] of findings.entries()) {
    expect(evidenceWithEdges(f).ids).toEqual(evidence[i]);
    const column = storedEvidenceColumn(db, f);
    const out = { bytes: Buffer.alloc(0) };
    const items = column && storedEvidenceItems(column, EVIDENCE_CAP, Buffer.from('\n'), out);
    if (items)
      expect(out.bytes.toString('utf8', 0, items.length)).toBe(
        evidence[i]!.map((id) => JSON.stringify(id)).join('\n'),
      );
    const l = lean(f);
    if (l) {
      const ids = Array.from({ length: l.keys.count }, (_, k) =>
        k < l.keys.sessions
          ? l.keys.prefix.toString() + l.column.toString('latin1', l.keys.starts[k], l.keys.ends[k])
          : l.keys.extra[k - l.keys.sessions],
      );
      expect(ids).toEqual(evidence[i]);
    }
  }
  return { findings, evidence };
}

type Column = 'finding' | 'evidence_head' | 'evidence';

/**
 * Damage that leaves a stored column no longer what the store writes: cut short, a raw control
 * character put in, or replaced by JSON of another form (another device's keys, another rule, a
 * count as text, details that are a list).
 */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 0.999 }) }),
  fc.record({ kind: fc.constant('control' as const), at: fc.double({ min: 0, max: 0.999 }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    text: fc.constantFrom('null', '{}', '"x"', '7', '[1.5,[],[]]', '[1,[2],[]]', '["a",1]'),
  }),
  fc.record({ kind: fc.constant('other-device' as const) }),
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom('rule', 'deviceId', 'count', 'details', 'title', 'severity'),
  }),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function damaged(text: string, column: Column, deviceId: number, d: Damage): string {
  // A finding an earlier edit already left unreadable has no field to change: it stays so.
  const finding = column === 'finding' ? jsonObject(text) : null;
  if (column === 'finding' && finding === null && (d.kind === 'other-device' || d.kind === 'field'))
    return text;
  switch (d.kind) {
    case 'cut':
      return text.slice(0, Math.floor(d.at * text.length));
    case 'control': {
      // Inside the first string, where JSON takes no raw control character.
      const quote = text.indexOf('"');
      if (quote < 0) return `${text}\u0001`;
      return `${text.slice(0, quote + 1)}\u0001${text.slice(quote + 1)}`;
    }
    case 'replace':
      return d.text;
    case 'other-device':
      // Lean keys are kept whole, places and all: only their device is another's.
      if (column === 'finding') return JSON.stringify({ ...finding, deviceId: deviceId + 100 });
      return /^\[\d+,/.test(text)
        ? text.replace(/^\[\d+,/, `[${deviceId + 100},`)
        : `[${deviceId + 100},["k1"],[]]`;
    case 'field': {
      if (column !== 'finding') return `{"${d.field}":1}`;
      const f = finding!;
      const values: Record<string, unknown> = {
        rule: f.rule === 'night-access' ? 'long-access' : 'night-access',
        deviceId: String(f.deviceId),
        count: String(f.count),
        details: [1],
        title: null,
        severity: 'urgent',
      };
      return JSON.stringify({ ...f, [d.field]: values[d.field] });
    }
  }
}

/** Damages one stored finding's column; returns its device. */
function damageRow(db: Db, pick: number, column: Column, d: Damage): number {
  const rows = db
    .prepare('SELECT id, device_id AS deviceId FROM stored_findings ORDER BY id')
    .all() as {
    id: number;
    deviceId: number;
  }[];
  const row = rows[pick % rows.length]!;
  const text = db
    .prepare(`SELECT ${column} FROM stored_findings WHERE id = ?`)
    .pluck()
    .get(row.id) as string;
  db.prepare(`UPDATE stored_findings SET ${column} = ? WHERE id = ?`).run(
    damaged(text, column, row.deviceId, d),
    row.id,
  );
  return row.deviceId;
}

const column = fc.constantFrom<Column>('finding', 'evidence_head', 'evidence');

describe('stored findings that do not read (a case file changed outside Snoopscope)', () => {
  it('answer as undamaged ones do: the findings computed again, the evidence from the records', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.tuple(fc.nat(), column, damage), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(0, 3, 100, 5_000),
        (seed, edits, shown) => {
          const db = t.session.db;
          emptyFindingsCase(db);
          db.exec('DELETE FROM stored_findings; DELETE FROM stored_findings_state');
          fillFindingsCase(db, seed);
          refreshFindings(db);
          if ((db.prepare('SELECT count(*) FROM stored_findings').pluck().get() as number) === 0)
            return;
          const before = answers(db, shown);
          const list = queryFindingsList(db, {}, {}, undefined, { evidenceLimit: 0, list: true });
          for (const [pick, c, d] of edits) damageRow(db, pick, c, d);
          expect(answers(db, shown)).toEqual(before);
          expect(
            queryFindingsList(db, {}, {}, undefined, { evidenceLimit: 0, list: true }),
          ).toEqual(list);
          // Once read (a list of the first ids reads their own column), the damaged devices'
          // findings are computed and stored again.
          expect(answers(db, shown)).toEqual(before);
          answers(db, 100);
          expect(staleFindingDevices(db)).toEqual([]);
          const bad = db
            .prepare(
              'SELECT count(*) FROM stored_findings WHERE NOT json_valid(finding) OR NOT json_valid(evidence) OR NOT json_valid(evidence_head)',
            )
            .pluck()
            .get();
          expect(bad).toBe(0);
        },
      ),
      fuzzOptions(80),
    );
  });

  it('are read from the records on a connection that cannot write, and left to the worker by the app', () => {
    const db = t.session.db;
    emptyFindingsCase(db);
    db.exec('DELETE FROM stored_findings; DELETE FROM stored_findings_state');
    fillFindingsCase(db, 42);
    refreshFindings(db);
    const before = answers(db, 3);
    const device = damageRow(db, 0, 'finding', { kind: 'cut', at: 0.5 });
    damageRow(db, 1, 'evidence', { kind: 'other-device' });
    const ro = new Database(t.session.path, { readonly: true }) as unknown as Db;
    try {
      expect(answers(ro, 3)).toEqual(before);
    } finally {
      ro.close();
    }
    // Nothing was written: the damage is still there for the app's connection to find.
    expect(staleFindingDevices(db)).toEqual([]);
    const app = new Database(t.session.path) as unknown as Db;
    try {
      serveStoredFindingsOnly(app);
      expect(() => findingsWithEvidence(app, {}, {}, 3)).toThrow(FindingsPendingError);
    } finally {
      app.close();
    }
    // The app's connection dropped the device's stamp: the worker computes it again.
    expect(staleFindingDevices(db)).toContain(device);
    expect(answers(db, 3)).toEqual(before);
  });
});

describe('kept key findings that do not read', () => {
  it('are computed again, or read from the records where they cannot be kept', () => {
    const db = t.session.db;
    emptyFindingsCase(db);
    db.exec('DELETE FROM stored_findings; DELETE FROM stored_findings_state');
    fillFindingsCase(db, 7);
    const live = keyFindings(db);
    expect(readKeyFindings(db)).toEqual(live);
    const device = live[0]!.deviceId;
    const answer = db.prepare('UPDATE stored_key_findings SET answer = ? WHERE device_id = ?');
    for (const text of [
      '{"observedDays":',
      'null',
      '{"observedDays":1,"key":[null],"others":[],"intervalClusters":[]}',
      '[]',
    ]) {
      answer.run(text, device);
      const ro = new Database(t.session.path, { readonly: true }) as unknown as Db;
      try {
        expect(readKeyFindings(ro)).toEqual(live);
      } finally {
        ro.close();
      }
      const app = new Database(t.session.path) as unknown as Db;
      try {
        serveStoredFindingsOnly(app);
        expect(() => readKeyFindings(app)).toThrow(FindingsPendingError);
      } finally {
        app.close();
      }
      expect(readKeyFindings(db)).toEqual(live);
      const kept = db.prepare('SELECT answer FROM stored_key_findings WHERE device_id = ?').pluck();
      expect(JSON.parse(kept.get(device) as string)).toMatchObject({
        observedDays: live[0]!.observedDays,
      });
    }
  });
});
