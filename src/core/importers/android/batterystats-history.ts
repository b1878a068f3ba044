// `dumpsys batterystats` history (reference android-sources.md §4): after `Battery History (…):`,
// lines `<relative time> (<n>) <cmd or battery level> <state tokens>`, e.g.
// `+1h26m18s315ms (2) 095 +top=u0a280:"com.whatsapp"`. Times are relative to the history's start
// and placed by its `RESET:TIME: 2022-01-04-17-30-01` (or a later `TIME:`) line, device-local.
// `+screen` / `-screen` give the screen, `top=` / `+top=` / `-top=` the app on top. START,
// SHUTDOWN and *OVERFLOW* end every state (nothing is assumed across them). The history ends at
// the first line of another shape. A line placed earlier than the line before it (a later `TIME:`
// setting the clock back, or a crafted relative time) ends every state there too, and the states
// after it count only from the latest instant already read, with a warning (see StateRuns).
import type {
  DeviceStateCoverageRecord,
  DeviceStateRecord,
  Instant,
  WarningRecord,
} from '../../model/import-records';
import {
  backwardStepText,
  closedState,
  localText,
  MAX_STEP_WARNINGS,
  StateRuns,
  stepWarning,
  type BackwardStep,
  type OpenState,
} from './open-states';

/** A state change read from one history line. */
export interface BatteryStateChange {
  kind: 'screen' | 'foreground';
  /** `on`/`off`, the package on top, or null when the state ends without a new one (`-top=`). */
  value: string | null;
  /** For `-top=`: the package whose time on top ends. */
  ending?: string;
}

const LINE = /^\s*(0|\+[0-9dhms]+)\s+\(\d+\)\s+(.*)$/;
const RELATIVE = /^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const TIME = /(?:^|\s)(?:RESET:)?TIME: (\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})(?:\s|$)/;
const TOKEN = /(?:^|\s)([+-]?)(screen|top)(?:=([^\s"]*"[^"]*"|\S*))?(?=\s|$)/g;
const MAX_MS = 400 * 86_400_000;

/** Milliseconds of a relative time (`0`, `+343ms`, `+2d23h22m24s588ms`), or null. */
export function relativeMs(text: string): number | null {
  if (text === '0') return 0;
  const m = RELATIVE.exec(text);
  if (!m || text === '+') return null;
  const [d, h, min, s, ms] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const total = d! * 86_400_000 + h! * 3_600_000 + min! * 60_000 + s! * 1000 + ms!;
  return Number.isSafeInteger(total) && total <= MAX_MS ? total : null;
}

/** The screen and top-app changes of one history line's state tokens. */
export function stateChanges(rest: string): BatteryStateChange[] {
  const out: BatteryStateChange[] = [];
  for (const m of rest.matchAll(TOKEN)) {
    const sign = m[1]!;
    if (m[2] === 'screen') {
      // `screen` has no value; an unsigned one is not a change.
      if (m[3] !== undefined || sign === '') continue;
      out.push({ kind: 'screen', value: sign === '+' ? 'on' : 'off' });
      continue;
    }
    const pkg = /"([^"]+)"$/.exec(m[3] ?? '')?.[1] ?? null;
    if (pkg === null) continue;
    if (sign === '-') out.push({ kind: 'foreground', value: null, ending: pkg });
    else out.push({ kind: 'foreground', value: pkg });
  }
  return out;
}

/**
 * Reads a batterystats section line by line and gives the device-state records (basis
 * `batterystats`) it implies: screen on/off and the app on top, with coverage from the first to
 * the last placed line of the history. Lines before a clock line cannot be placed and are skipped.
 */
export class BatteryHistoryStates {
  private inHistory = false;
  private baseWall: number | null = null;
  private baseRel = 0;
  private first: number | null = null;
  private last: number | null = null;
  private readonly runs = new StateRuns();
  /** The clock line read since the last placed line, if any: a step back names it. */
  private timeLine: number | null = null;
  private steps = 0;
  private firstUnwarned: number | null = null;
  private readonly open = new Map<'screen' | 'foreground', OpenState>();

  constructor(
    private readonly origin: string,
    private readonly place: (wallMs: number) => Instant,
  ) {}

  /** One line of the section; returns the records it closes and any warning it gives. */
  line(text: string, lineNo: number): (DeviceStateRecord | WarningRecord)[] {
    if (!this.inHistory) {
      if (/^\s*Battery History\b/.test(text)) this.inHistory = true;
      return [];
    }
    const m = LINE.exec(text);
    const rel = m ? relativeMs(m[1]!) : null;
    if (!m || rel === null) {
      // The states still open hold to the last placed line (see `end`).
      this.inHistory = false;
      return [];
    }
    const rest = m[2]!;
    const t = TIME.exec(rest);
    if (t) {
      const [y, mo, d, h, mi, s] = t.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const wall = Date.UTC(y, mo - 1, d, h, mi, s);
      if (Number.isFinite(wall) && y >= 2007 && y <= 2100) {
        this.baseWall = wall;
        this.baseRel = rel;
        this.timeLine = lineNo;
      }
      return [];
    }
    if (this.baseWall === null) return [];
    const at = this.place(this.baseWall + rel - this.baseRel);
    if (!Number.isFinite(at.ms)) return [];
    this.first ??= at.ms;
    this.last = Math.max(this.last ?? at.ms, at.ms);
    const out: (DeviceStateRecord | WarningRecord)[] = [];
    const step = this.runs.next(at, (last) => this.closeAll(last, out, true));
    const timeLine = this.timeLine;
    this.timeLine = null;
    if (step) {
      const warning = this.warnStep(step, lineNo, timeLine);
      if (warning) out.push(warning);
    }
    const command = rest.trim();
    if (command === 'START' || command === 'SHUTDOWN' || command === '*OVERFLOW*') {
      this.closeAll(at, out);
      return out;
    }
    for (const c of stateChanges(rest)) {
      if (c.value === null) {
        if (this.open.get(c.kind)?.value === c.ending) this.close(c.kind, at, out);
        continue;
      }
      if (this.open.get(c.kind)?.value === c.value) continue;
      this.close(c.kind, at, out);
      this.open.set(c.kind, { value: c.value, from: at, locator: `${this.origin} line ${lineNo}` });
    }
    return out;
  }

  /**
   * The states still open, ended at the last placed line (so none reaches past this history's
   * coverage, whatever other records of the same file cover), and the coverage of the screen and
   * the top app.
   */
  end(): (DeviceStateRecord | DeviceStateCoverageRecord | WarningRecord)[] {
    const out: (DeviceStateRecord | DeviceStateCoverageRecord | WarningRecord)[] = [];
    const end = this.runs.last();
    for (const [kind, o] of this.open) {
      const r = this.runs.keep(closedState(kind, o, end, 'batterystats'));
      if (r) out.push(r);
    }
    this.open.clear();
    this.runs.reset();
    if (this.steps > MAX_STEP_WARNINGS)
      out.push(
        stepWarning(
          this.origin,
          this.firstUnwarned,
          `${this.steps - MAX_STEP_WARNINGS} more lines of the battery history, from this one on, are placed earlier than the line before them; each ends the screen and top-app states there like the ones warned about before.`,
        ),
      );
    this.steps = 0;
    this.firstUnwarned = null;
    this.timeLine = null;
    if (this.first !== null && this.last !== null)
      for (const kind of ['screen', 'foreground'] as const)
        out.push({
          type: 'device-state-coverage',
          kind,
          basis: 'batterystats',
          fromMs: this.first,
          toMs: this.last,
        });
    this.first = null;
    this.last = null;
    return out;
  }

  // Ends every open state at `at`.
  private closeAll(at: Instant, out: (DeviceStateRecord | WarningRecord)[], endsRun = false): void {
    for (const kind of [...this.open.keys()]) this.close(kind, at, out, endsRun);
  }

  private close(
    kind: 'screen' | 'foreground',
    at: Instant,
    out: (DeviceStateRecord | WarningRecord)[],
    endsRun = false,
  ): void {
    const o = this.open.get(kind);
    if (!o) return;
    this.open.delete(kind);
    const r = this.runs.keep(closedState(kind, o, at, 'batterystats'), endsRun);
    if (r) out.push(r);
  }

  // The warning for a line placed earlier than the line before it; past the first
  // MAX_STEP_WARNINGS they are counted for one warning at the end.
  private warnStep(
    step: BackwardStep,
    lineNo: number,
    timeLine: number | null,
  ): WarningRecord | null {
    this.steps += 1;
    if (this.steps > MAX_STEP_WARNINGS) {
      this.firstUnwarned ??= lineNo;
      return null;
    }
    const cause =
      timeLine === null
        ? "its relative time is earlier than the previous line's"
        : `placed by the TIME line at line ${timeLine}`;
    return stepWarning(
      this.origin,
      lineNo,
      `the battery history's time goes back here (${cause}): ${backwardStepText(step)}. The screen and top-app states read before end at ${localText(step.before)}; those read after count only from ${localText(step.latest)}, as the times before it were read once already.`,
    );
  }
}
