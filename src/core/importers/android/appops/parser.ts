// The `dumpsys appops` state machine (reference android-sources.md §1), fed one line at a time so
// a capture is never one string: the service state (last accesses of every layout), the discrete
// accesses and the aggregated history. Records go to a sink as soon as they can no longer change.
import type { AppOpEvent, AppOpHistoryEntry, LocalTime } from '../types';
import { parseDiscreteAccess, parseDiscreteRow } from './discrete';
import {
  headerName,
  isBareOpName,
  isPieContinuation,
  looksLikeEventLine,
  nullable,
  parseBracketEvent,
  parseOldFields,
  parseOpHeader,
  parsePieEvent,
  skipSpaces,
  type EventCore,
} from './event-line';
import { parseHistoryCounts } from './history';
import { parseAndroidDuration, parseLocalTimeAt } from './times';

/** The layouts the parser recognises, in the order they are reported. */
export const APP_OPS_LAYOUTS = [
  'android-8',
  'android-9',
  'android-10',
  'android-11+',
  'discrete',
  'discrete-table',
  'history',
  'android-16',
] as const;

export type AppOpsLayout = (typeof APP_OPS_LAYOUTS)[number];

/** A line that looks like an access, reject or count but cannot be read. */
export interface AppOpsProblem {
  line: number | null;
  message: string;
}

/** Where the parser delivers what it reads. */
export interface AppOpsSink {
  /** A finished event; `seq` is its place in the order the lines printed it (0, 1, 2, …). */
  event(ev: AppOpEvent, seq: number): void;
  history(entry: AppOpHistoryEntry): void;
  problem(p: AppOpsProblem): void;
}

type Section = 'state' | 'history' | 'discrete' | 'other';

/**
 * Reads `dumpsys appops` text line by line (also with `--history` and `--include-discrete`, and a
 * whole `dumpsys` or bugreport where only the appops service is read). Never stops at blank lines.
 *
 * An access stays open while later lines of its op block may still change it (Android 9
 * `duration=` and `Running start at:` apply to the block's access nearest the dump): only that
 * one access is held, every other event goes to the sink at once, so memory does not grow with
 * the input.
 */
export class AppOpsParser {
  private section: Section = 'state';
  private uid: string | null = null;
  private pkg: string | null = null;
  private op: string | null = null;
  private mode: string | null = null;
  private tag: string | null = null;
  private inTag = false;
  /** The access of the current op block nearest the dump, and its sequence number. */
  private best: AppOpEvent | null = null;
  private bestSeq = 0;
  /** Android 9: the kind of the last `Access:`/`Reject:` line, for its continuation lines. */
  private pieKind: AppOpEvent['kind'] | null = null;
  private begin: LocalTime | null = null;
  private endTime: LocalTime | null = null;
  /** Android 16 discrete table: the header row was seen. */
  private table = false;
  private seq = 0;
  private readonly seen = new Set<AppOpsLayout>();

  constructor(private readonly sink: AppOpsSink) {}

  /** The layouts seen so far, in the order of {@link APP_OPS_LAYOUTS}. */
  get layout(): AppOpsLayout[] {
    return APP_OPS_LAYOUTS.filter((name) => this.seen.has(name));
  }

  /** Feeds one line (without its `\n`; a trailing `\r` is dropped) and its 1-based number. */
  push(line: string, lineNo: number): void {
    const rawLine = line.trimEnd();
    const t = rawLine.trimStart();
    if (t === '') return;
    const indent = rawLine.length - t.length;

    if (t.startsWith('DUMP OF SERVICE ')) {
      const name = t.slice(16).replace(/:$/, '').trim();
      this.resetContext();
      this.section = name === 'appops' ? 'state' : 'other';
      return;
    }
    if (t === 'Current AppOps Service state:') {
      this.resetContext();
      this.section = 'state';
      return;
    }
    if (this.section === 'other') return;
    if (t.startsWith('---')) {
      this.resetContext();
      if (t.includes('Discrete App Ops')) {
        this.section = 'discrete';
        this.seen.add('discrete');
        this.seen.add('android-16');
      } else if (t.includes('Aggregated App Ops')) {
        this.section = 'history';
        this.seen.add('history');
        this.seen.add('android-16');
      }
      return;
    }
    if (t.startsWith('History:') || (t === 'snapshot:' && this.section !== 'history')) {
      this.resetContext();
      this.section = 'history';
      this.seen.add('history');
      return;
    }
    if (t.startsWith('Discrete accesses:')) {
      this.resetContext();
      this.section = 'discrete';
      this.seen.add('discrete');
      return;
    }

    switch (this.section) {
      case 'state':
        this.stateLine(t, indent, lineNo, rawLine);
        break;
      case 'discrete':
        this.discreteLine(t, lineNo, rawLine);
        break;
      case 'history':
        this.historyLine(t, lineNo, rawLine);
        break;
      default: {
        const never: never = this.section;
        throw new Error(`unexpected section ${String(never)}`);
      }
    }
  }

  /** Delivers the access still held; call once after the last line. */
  end(): void {
    this.closeBlock();
  }

  private problem(line: number, message: string): void {
    this.sink.problem({ line, message });
  }

  private closeBlock(): void {
    if (this.best !== null) this.sink.event(this.best, this.bestSeq);
    this.best = null;
  }

  private resetContext(): void {
    this.uid = null;
    this.pkg = null;
    this.op = null;
    this.mode = null;
    this.tag = null;
    this.inTag = false;
    this.closeBlock();
    this.pieKind = null;
    this.begin = null;
    this.endTime = null;
    this.table = false;
  }

  private emit(
    kind: AppOpEvent['kind'],
    origin: AppOpEvent['origin'],
    core: EventCore,
    lineNo: number,
    rawLine: string,
  ): AppOpEvent {
    const ev: AppOpEvent = {
      kind,
      origin,
      uid: this.uid,
      // Callers guarantee a package before emitting.
      packageName: this.pkg ?? '',
      op: this.op ?? '',
      mode: origin === 'last' ? this.mode : null,
      attributionTag: this.tag,
      uidState: core.uidState,
      flag: core.flag,
      time: core.time,
      relativeMs: core.relativeMs,
      durationMs: core.durationMs,
      running: false,
      proxy: core.proxy,
      line: lineNo,
      rawLine,
    };
    const seq = this.seq++;
    if (origin !== 'last' || kind !== 'access') {
      this.sink.event(ev, seq);
      return ev;
    }
    // The block's access nearest the dump: the smallest relative time, else the last printed.
    // One that loses this place can never win it back, so it is final.
    const best = this.best;
    if (
      best === null ||
      (ev.relativeMs !== null && (best.relativeMs === null || ev.relativeMs <= best.relativeMs)) ||
      (ev.relativeMs === null && best.relativeMs === null)
    ) {
      if (best !== null) this.sink.event(best, this.bestSeq);
      this.best = ev;
      this.bestSeq = seq;
    } else {
      this.sink.event(ev, seq);
    }
    return ev;
  }

  private stateLine(t: string, indent: number, lineNo: number, rawLine: string): void {
    const uid = headerName(t, 'Uid ');
    if (uid !== null) {
      this.resetContext();
      this.uid = uid;
      return;
    }
    const pkg = headerName(t, 'Package ');
    if (pkg !== null) {
      this.pkg = pkg;
      this.op = null;
      this.mode = null;
      this.tag = null;
      this.inTag = false;
      this.closeBlock();
      this.pieKind = null;
      return;
    }
    if (indent <= 2) {
      // A section of its own (`Settings:`, `Op mode watchers:`, `Profile owners:`, …).
      this.resetContext();
      return;
    }
    const isAccess = t.startsWith('Access:');
    if (isAccess || t.startsWith('Reject:')) {
      this.pieKind = null;
      const kind = isAccess ? 'access' : 'reject';
      if (this.pkg === null || this.op === null) {
        this.problem(lineNo, `${isAccess ? 'Access' : 'Reject'} line outside a package's op: ${t}`);
        return;
      }
      const after = skipSpaces(t, 7);
      if (t[after] === '[') {
        const core = parseBracketEvent(t, 7);
        if (typeof core === 'string') {
          this.problem(lineNo, `Unreadable ${kind} line (${core}): ${t}`);
          return;
        }
        this.seen.add(this.inTag ? 'android-11+' : 'android-10');
        this.emit(kind, 'last', core, lineNo, rawLine);
        return;
      }
      const core = parsePieEvent(t, 7);
      if (typeof core === 'string') {
        this.problem(lineNo, `Unreadable ${kind} line (${core}): ${t}`);
        return;
      }
      this.seen.add('android-9');
      this.emit(kind, 'last', core, lineNo, rawLine);
      this.pieKind = kind;
      return;
    }
    if (this.pieKind !== null && isPieContinuation(t)) {
      const core = parsePieEvent(t, 0);
      if (typeof core === 'string') {
        this.problem(lineNo, `Unreadable ${this.pieKind} line (${core}): ${t}`);
        return;
      }
      this.emit(this.pieKind, 'last', core, lineNo, rawLine);
      return;
    }
    this.pieKind = null;
    if (this.pkg === null) return;
    if (t.endsWith('=[') && this.op !== null) {
      this.tag = nullable(t.slice(0, -2));
      this.inTag = true;
      this.closeBlock();
      return;
    }
    if (t === ']') {
      this.tag = null;
      this.inTag = false;
      this.closeBlock();
      return;
    }
    if (t.startsWith('Running start at:')) {
      if (this.best) this.best.running = true;
      return;
    }
    if (t.startsWith('startNesting=')) return;
    if (t.startsWith('duration=')) {
      // Android 9 prints the op's last duration on a line of its own.
      const ms = parseAndroidDuration(t.slice(9));
      const ev = this.best;
      if (ms !== null && ev && ev.durationMs === null) ev.durationMs = ms;
      return;
    }
    const header = parseOpHeader(t);
    if (header) {
      this.op = header.op;
      this.mode = header.mode;
      this.tag = null;
      this.inTag = false;
      this.closeBlock();
      if (header.oldFields !== null) this.oldStyleLine(header.oldFields, lineNo, rawLine);
      return;
    }
    if (looksLikeEventLine(t)) {
      this.problem(lineNo, `Unreadable access or reject line: ${t}`);
    }
  }

  private oldStyleLine(fields: string, lineNo: number, rawLine: string): void {
    const parsed = parseOldFields(fields);
    if (typeof parsed === 'string') {
      this.problem(lineNo, `Unreadable op line (${parsed}): ${rawLine.trim()}`);
      return;
    }
    if (!parsed.present) return;
    this.seen.add('android-8');
    const base = { uidState: null, flag: null, time: null, proxy: null };
    if (parsed.accessAgoMs !== null || parsed.running) {
      const ev = this.emit(
        'access',
        'last',
        { ...base, relativeMs: parsed.accessAgoMs, durationMs: parsed.durationMs },
        lineNo,
        rawLine,
      );
      ev.running = parsed.running;
    }
    if (parsed.rejectAgoMs !== null) {
      this.emit(
        'reject',
        'last',
        { ...base, relativeMs: parsed.rejectAgoMs, durationMs: null },
        lineNo,
        rawLine,
      );
    }
  }

  private discreteLine(t: string, lineNo: number, rawLine: string): void {
    if (t.startsWith('Largest chain id:')) return;
    if (t.startsWith('UID|PACKAGE_NAME|')) {
      this.table = true;
      this.seen.add('discrete-table');
      return;
    }
    if (t.startsWith('Uid: ')) {
      this.resetContext();
      this.uid = t.slice(5).trim() || null;
      return;
    }
    if (t.startsWith('Package: ')) {
      this.pkg = t.slice(9).trim() || null;
      this.op = null;
      this.tag = null;
      return;
    }
    if (t.startsWith('Attribution: ')) {
      this.tag = nullable(t.slice(13).trim());
      return;
    }
    if (t.startsWith('Access [')) {
      if (this.pkg === null || this.op === null) {
        this.problem(lineNo, `Discrete access outside a package's op: ${t}`);
        return;
      }
      const core = parseDiscreteAccess(t);
      if (typeof core === 'string') {
        this.problem(lineNo, `Unreadable discrete access (${core}): ${t}`);
        return;
      }
      this.emit('access', 'discrete', core, lineNo, rawLine);
      return;
    }
    if (this.table && t.includes('|')) {
      const row = parseDiscreteRow(t);
      if (typeof row === 'string') {
        this.problem(lineNo, `Unreadable discrete row (${row}): ${t}`);
        return;
      }
      this.uid = row.uid;
      this.pkg = row.pkg;
      this.op = row.op;
      this.tag = row.tag;
      this.emit('access', 'discrete', row.core, lineNo, rawLine);
      return;
    }
    if (isBareOpName(t)) {
      this.op = t.endsWith(':') ? t.slice(0, -1) : t;
      this.tag = null;
      return;
    }
    if (looksLikeEventLine(t)) {
      this.problem(lineNo, `Unreadable discrete access: ${t}`);
    }
  }

  private historyLine(t: string, lineNo: number, rawLine: string): void {
    if (t === 'snapshot:') {
      this.resetContext();
      return;
    }
    if (t.startsWith('begin = ') || t.startsWith('end = ')) {
      const isBegin = t.startsWith('begin');
      const time = parseLocalTimeAt(t, isBegin ? 8 : 6);
      if (!time) this.problem(lineNo, `Unreadable snapshot ${isBegin ? 'begin' : 'end'}: ${t}`);
      if (isBegin) this.begin = time;
      else this.endTime = time;
      return;
    }
    const uid = headerName(t, 'Uid ');
    if (uid !== null) {
      this.uid = uid;
      this.pkg = null;
      this.tag = null;
      this.op = null;
      return;
    }
    const pkg = headerName(t, 'Package ');
    if (pkg !== null) {
      this.pkg = pkg;
      this.tag = null;
      this.op = null;
      return;
    }
    const tag = headerName(t, 'Attribution ');
    if (tag !== null) {
      this.tag = nullable(tag);
      this.op = null;
      return;
    }
    if (t.startsWith('[')) {
      if (this.op === null) {
        this.problem(lineNo, `History counts outside an op: ${t}`);
        return;
      }
      const entry = parseHistoryCounts(t);
      if (typeof entry === 'string') {
        this.problem(lineNo, `Unreadable history counts (${entry}): ${t}`);
        return;
      }
      this.sink.history({
        uid: this.uid,
        packageName: this.pkg,
        attributionTag: this.tag,
        op: this.op,
        uidState: entry.uidState,
        flag: entry.flag,
        begin: this.begin,
        end: this.endTime,
        accessCount: entry.accessCount,
        rejectCount: entry.rejectCount,
        durationMs: entry.durationMs,
        line: lineNo,
        rawLine,
      });
      return;
    }
    if (t.endsWith(':') && isBareOpName(t)) {
      this.op = t.slice(0, -1);
    }
  }
}
