// Access sessions written straight from their rows as the lines of an export: a JSON line, or a
// CSV row over a table's columns, each the exact text its record would give, with the texts that
// repeat from row to row encoded once.
import { toCategory } from '../../contract/categories';
import type { AccessEvent } from '../../contract/records';
import { msToSeconds } from '../../contract/time';
import { eventState } from '../db/session-state';
import {
  unknownDeviceState,
  type deviceStateReader,
  type DeviceStateAt,
} from '../db/queries/device-state';
import { edgeSources, provenance, type AccessNames, type AccessRow } from './access-rows';
import { csvField, guardFormula, needsFormulaGuard, type CsvColumn } from './csv';
import {
  type ByteText,
  COLON,
  encodedCache,
  eventCsvValue,
  instantBytes,
  instantFormatter,
  utf8,
  writeSeconds,
} from './event-text';
import { sessionId } from './session-ids';
import { proxyOf, storedJson } from '../model/json';

/** The fields of an access record, in the order a record lists them. */
const ACCESS_FIELDS = [
  'id',
  'kind',
  'device',
  'app',
  'appName',
  'category',
  'raw',
  'start',
  'end',
  'durationSeconds',
  'state',
  'stateSource',
  'proxy',
  'attributionTag',
  'durationKnown',
  'sources',
  'deviceState',
] as const;

/** A device state's JSON (the unknown one's text is given, as most rows have it). */
function deviceStateJson(state: DeviceStateAt, unknownText: string): string {
  return state.screen === null &&
    state.locked === null &&
    state.foregroundApp === null &&
    state.basis === null &&
    state.sources.length === 0
    ? unknownText
    : JSON.stringify(state);
}

/**
 * A row's state and its source as the record shows them (see `eventState`), encoded once per
 * combination of the stored state, state source and inferred state.
 */
function stateText<V>(
  encode: (state: AccessEvent['state'], source: AccessEvent['stateSource']) => V,
): (r: AccessRow) => V {
  const done = new Map<string | null, Map<string | null, Map<string, V>>>();
  return (r) => {
    let bySource = done.get(r[12]);
    if (!bySource) {
      bySource = new Map();
      done.set(r[12], bySource);
    }
    let byState = bySource.get(r[11]);
    if (!byState) {
      byState = new Map();
      bySource.set(r[11], byState);
    }
    let v = byState.get(r[10]);
    if (v === undefined) {
      const e = eventState({ state: r[10], stateSource: r[11], inferredState: r[12] });
      v = encode(e.state, e.stateSource);
      byState.set(r[10], v);
    }
    return v;
  };
}

/** The device-state reader the line writers consult. */
type StateReader = ReturnType<typeof deviceStateReader>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** One access row written as its JSON line (the text `JSON.stringify` gives its record, and `\n`). */
export function jsonAccessLine(
  names: AccessNames,
  states: StateReader,
): (out: ByteText, r: AccessRow) => void {
  const unknownState = JSON.stringify(unknownDeviceState());
  const unknownBytes = utf8(`,"deviceState":${unknownState}}\n`);
  const device = encodedCache((id: number) =>
    utf8(`,"device":${JSON.stringify(names.device.get(id) ?? '')}`),
  );
  const app = encodedCache((id: number) => {
    const a = names.app.get(id);
    return utf8(
      `,"app":${JSON.stringify(a?.identifier ?? '')},"appName":${JSON.stringify(a?.name ?? null)}`,
    );
  });
  const category = encodedCache((raw: string) =>
    utf8(`,"category":${JSON.stringify(toCategory(raw))},"raw":`),
  );
  const raw = encodedCache((t: string) => utf8(JSON.stringify(t)));
  const state = stateText((st, src) =>
    utf8(`,"state":${JSON.stringify(st)},"stateSource":${JSON.stringify(src)}`),
  );
  const sha = encodedCache((s: string) => utf8(`{"sha256":${JSON.stringify(s)},"locator":"line `));
  const instant = instantBytes();
  const idStart = utf8('{"id":"s:');
  const idOpen = utf8('{"id":');
  const quote = utf8('"');
  const kind = utf8('","kind":"access"');
  const kindAfterId = utf8(',"kind":"access"');
  const start = utf8(',"start":');
  const end = utf8(',"end":');
  const nul = utf8('null');
  const duration = utf8(',"durationSeconds":');
  const proxy = utf8(',"proxy":');
  const tag = utf8(',"attributionTag":');
  const known = [utf8(',"durationKnown":false'), utf8(',"durationKnown":true')];
  const sourcesOpen = utf8(',"sources":');
  const noSources = utf8('[]');
  const open = utf8('[');
  const between = utf8('"},');
  const close = utf8('"}]');
  const deviceState = utf8(',"deviceState":');
  const lineEnd = utf8('}\n');
  const forbidInKey = [QUOTE, BACKSLASH];
  const time = (out: ByteText, ms: number | null, off: number | null): void => {
    if (ms === null) {
      out.bytes(nul);
      return;
    }
    out.bytes(quote);
    instant(out, ms, off ?? 0);
    out.bytes(quote);
  };
  return (out, r) => {
    // The id: `s:<device>:<key>`, quoted as is when the key needs no escape.
    const mark = out.pos;
    out.bytes(idStart);
    out.number(r[0]);
    out.bytes(COLON);
    if (out.plain(r[1], forbidInKey)) out.bytes(kind);
    else {
      out.pos = mark;
      out.bytes(idOpen);
      out.text(JSON.stringify(sessionId(r[0], r[1])));
      out.bytes(kindAfterId);
    }
    out.bytes(device(r[0]));
    out.bytes(app(r[2]));
    out.bytes(category(r[3]));
    out.bytes(raw(r[4]));
    out.bytes(start);
    time(out, r[5], r[6]);
    out.bytes(end);
    time(out, r[7], r[8]);
    out.bytes(duration);
    if (r[9] === null) out.bytes(nul);
    else if (Number.isFinite(r[9])) writeSeconds(out, r[9]);
    else out.text(JSON.stringify(msToSeconds(r[9])));
    out.bytes(state(r));
    out.bytes(proxy);
    if (r[13] === null) out.bytes(nul);
    else out.text(JSON.stringify(storedJson(r[13], () => proxyOf(sessionId(r[0], r[1])))));
    out.bytes(tag);
    if (r[14] === null) out.bytes(nul);
    else out.text(JSON.stringify(r[14]));
    out.bytes(known[r[15] === 1 ? 1 : 0]!);
    out.bytes(sourcesOpen);
    const edges = edgeSources(r, names);
    if (edges === null) out.text(JSON.stringify(provenance(r, names)));
    else if (edges.length === 0) out.bytes(noSources);
    else {
      out.bytes(open);
      out.bytes(sha(edges[0]!.sha256));
      out.number(edges[0]!.line);
      if (edges.length > 1) {
        out.bytes(between);
        out.bytes(sha(edges[1]!.sha256));
        out.number(edges[1]!.line);
      }
      out.bytes(close);
    }
    if (!states.tracks(r[0])) {
      out.bytes(unknownBytes);
      return;
    }
    out.bytes(deviceState);
    out.text(deviceStateJson(states.at(r[0], r[5]), unknownState));
    out.bytes(lineEnd);
  };
}

/** One access row written as its CSV row over `columns` (fields of other kinds stay empty). */
export function csvAccessLine(
  names: AccessNames,
  columns: readonly CsvColumn[],
  states: StateReader,
): (out: ByteText, r: AccessRow) => void {
  const unknownState = JSON.stringify(unknownDeviceState());
  const kindOf = new Map(columns.map((c) => [c.name, c.kind]));
  // A cell as the CSV table writes it: text guarded against formulas, then quoted when needed.
  const cellOf =
    (field: (typeof ACCESS_FIELDS)[number]) =>
    (v: string | number | boolean | null): string => {
      if (v === null) return '';
      return csvField(kindOf.get(field) === 'text' ? guardFormula(String(v)) : v);
    };
  const cell = Object.fromEntries(ACCESS_FIELDS.map((f) => [f, cellOf(f)])) as Record<
    (typeof ACCESS_FIELDS)[number],
    (v: string | number | boolean | null) => string
  >;
  const device = encodedCache((id: number) => utf8(cell.device(names.device.get(id) ?? '')));
  const app = encodedCache((id: number) => utf8(cell.app(names.app.get(id)?.identifier ?? '')));
  const appName = encodedCache((id: number) => utf8(cell.appName(names.app.get(id)?.name ?? null)));
  const category = encodedCache((raw: string) => utf8(cell.category(toCategory(raw))));
  const raw = encodedCache((t: string) => utf8(cell.raw(t)));
  const state = stateText(
    (st, src) => [utf8(cell.state(st)), utf8(cell.stateSource(src))] as const,
  );
  const kind = utf8(cell.kind('access'));
  const instant = instantBytes();
  // Times and numbers the tool formats hold no comma, quote or line break: a value cell is the text.
  const plainStart = kindOf.get('start') === 'value';
  const plainEnd = kindOf.get('end') === 'value';
  const plainDuration = kindOf.get('durationSeconds') === 'value';
  const durationKnown = [utf8(cell.durationKnown(false)), utf8(cell.durationKnown(true))];
  const unknownCell = utf8(cell.deviceState(unknownState));
  // A source's sha256 written as is when, first in the cell or after `;`, it needs no guard and
  // no quotes; null when it does.
  const textSources = kindOf.get('sources') === 'text';
  const sha = encodedCache((s: string) =>
    /[",\r\n;]/.test(s) || (textSources && needsFormulaGuard(s)) || s === ''
      ? null
      : utf8(`${s}:line `),
  );
  const semicolon = utf8(';');
  const comma = utf8(',');
  const lineEnd = utf8('\r\n');
  const forbidInKey = [QUOTE, COMMA];
  const sPrefix = utf8('s:');
  // Where each column's cell comes from: an access field, or nothing (another kind's field).
  const at = columns.map((c) => (ACCESS_FIELDS as readonly string[]).indexOf(c.name));
  const sourcesText = (r: AccessRow, edges: { sha256: string; line: number }[] | null): string =>
    edges === null
      ? provenance(r, names)
          .map((x) => `${x.sha256}:${x.locator}`)
          .join(';')
      : edges.map((e) => `${e.sha256}:line ${e.line}`).join(';');
  const field = (out: ByteText, f: number, r: AccessRow): void => {
    switch (f) {
      case 0: {
        const mark = out.pos;
        out.bytes(sPrefix);
        out.number(r[0]);
        out.bytes(COLON);
        // The id starts with `s`: no guard; quoted only for a key with a quote or comma.
        if (!out.plain(r[1], forbidInKey)) {
          out.pos = mark;
          out.text(cell.id(sessionId(r[0], r[1])));
        }
        return;
      }
      case 1:
        return out.bytes(kind);
      case 2:
        return out.bytes(device(r[0]));
      case 3:
        return out.bytes(app(r[2]));
      case 4:
        return out.bytes(appName(r[2]));
      case 5:
        return out.bytes(category(r[3]));
      case 6:
        return out.bytes(raw(r[4]));
      case 7:
        if (r[5] === null) return;
        if (plainStart) return instant(out, r[5], r[6] ?? 0);
        return out.text(cell.start(instantText(r[5], r[6] ?? 0)));
      case 8:
        if (r[7] === null) return;
        if (plainEnd) return instant(out, r[7], r[8] ?? 0);
        return out.text(cell.end(instantText(r[7], r[8] ?? 0)));
      case 9:
        if (r[9] === null) return;
        if (plainDuration && Number.isFinite(r[9])) return writeSeconds(out, r[9]);
        return out.text(cell.durationSeconds(msToSeconds(r[9])));
      case 10:
        return out.bytes(state(r)[0]);
      case 11:
        return out.bytes(state(r)[1]);
      case 12:
        if (r[13] === null) return;
        return out.text(
          cell.proxy(eventCsvValue(storedJson(r[13], () => proxyOf(sessionId(r[0], r[1]))))),
        );
      case 13:
        if (r[14] === null) return;
        return out.text(cell.attributionTag(r[14]));
      case 14:
        return out.bytes(durationKnown[r[15] === 1 ? 1 : 0]!);
      case 15: {
        const edges = edgeSources(r, names);
        if (edges !== null && edges.length === 0) return;
        const first = edges === null ? null : sha(edges[0]!.sha256);
        const second = edges === null || edges.length < 2 ? undefined : sha(edges[1]!.sha256);
        if (first === null || second === null) return out.text(cell.sources(sourcesText(r, edges)));
        out.bytes(first);
        out.number(edges![0]!.line);
        if (second !== undefined) {
          out.bytes(semicolon);
          out.bytes(second);
          out.number(edges![1]!.line);
        }
        return;
      }
      case 16:
        if (!states.tracks(r[0])) return out.bytes(unknownCell);
        return out.text(cell.deviceState(deviceStateJson(states.at(r[0], r[5]), unknownState)));
      default:
        return;
    }
  };
  const instantText = instantFormatter();
  return (out, r) => {
    for (let i = 0; i < at.length; i += 1) {
      if (i > 0) out.bytes(comma);
      if (at[i]! >= 0) field(out, at[i]!, r);
    }
    out.bytes(lineEnd);
  };
}
