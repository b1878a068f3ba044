// The device's state from `dumpsys usagestats` events: SCREEN_INTERACTIVE / SCREEN_NON_INTERACTIVE
// give the screen, KEYGUARD_SHOWN / KEYGUARD_HIDDEN the lock, ACTIVITY_RESUMED the app in front
// (until its ACTIVITY_PAUSED or ACTIVITY_STOPPED, or another app's ACTIVITY_RESUMED). A device
// start or shutdown ends every state: nothing is assumed across a reboot. Each user's events are
// followed on their own, and the states' coverage is the span of that user's events in the section.
// An event earlier than the user's event before it ends that user's states there, and the states
// after it count only from the latest time already read, with a warning (see StateRuns).
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
  type OpenState,
} from './open-states';

type Kind = DeviceStateRecord['kind'];

/** The kind and value an event type sets, or null when it sets none. */
export function usageStateOf(
  type: string,
  packageName: string | null,
): { kind: Kind; value: string } | null {
  switch (type) {
    case 'SCREEN_INTERACTIVE':
      return { kind: 'screen', value: 'on' };
    case 'SCREEN_NON_INTERACTIVE':
      return { kind: 'screen', value: 'off' };
    case 'KEYGUARD_SHOWN':
      return { kind: 'lock', value: 'locked' };
    case 'KEYGUARD_HIDDEN':
      return { kind: 'lock', value: 'unlocked' };
    case 'ACTIVITY_RESUMED':
      return packageName ? { kind: 'foreground', value: packageName } : null;
    default:
      return null;
  }
}

interface UserStates {
  /**
   * The user's first event in reading order: events read later at earlier times keep no state
   * before the latest time read (see StateRuns), so the coverage starts here, not at them.
   */
  first: number;
  last: number;
  runs: StateRuns;
  open: Map<Kind, OpenState>;
}

const KINDS: readonly Kind[] = ['screen', 'lock', 'foreground'];

/** Follows one usagestats section's events and gives the device-state records they imply. */
export class UsageStateTracker {
  private readonly users = new Map<string, UserStates>();
  private steps = 0;
  private firstUnwarned: number | null = null;

  constructor(private readonly origin: string) {}

  /**
   * The records an event closes (at most one per kind, plus none for an event without state), and
   * a warning when the event is earlier than the user's event before it.
   */
  event(
    u: { user: number | null; type: string; packageName: string | null; line: number },
    at: Instant,
  ): (DeviceStateRecord | WarningRecord)[] {
    if (!Number.isFinite(at.ms)) return [];
    const key = String(u.user);
    let s = this.users.get(key);
    if (!s) {
      s = { first: at.ms, last: at.ms, runs: new StateRuns(), open: new Map() };
      this.users.set(key, s);
    }
    s.last = Math.max(s.last, at.ms);
    const out: (DeviceStateRecord | WarningRecord)[] = [];
    const step = s.runs.next(at, (last) => {
      for (const kind of KINDS) this.close(s, kind, last, out, true);
    });
    if (step) {
      this.steps += 1;
      if (this.steps <= MAX_STEP_WARNINGS)
        out.push(
          stepWarning(
            this.origin,
            u.line,
            `this usagestats event${u.user === null ? '' : ` of user ${u.user}`} is earlier than the one before it: ${backwardStepText(step)}. The screen, lock and app states read before end at ${localText(step.before)}; those read after count only from ${localText(step.latest)}, as the times before it were read once already.`,
          ),
        );
      else this.firstUnwarned ??= u.line;
    }
    if (u.type === 'DEVICE_SHUTDOWN' || u.type === 'DEVICE_STARTUP') {
      for (const kind of KINDS) this.close(s, kind, at, out);
      return out;
    }
    if (u.type === 'ACTIVITY_PAUSED' || u.type === 'ACTIVITY_STOPPED') {
      if (u.packageName !== null && s.open.get('foreground')?.value === u.packageName)
        this.close(s, 'foreground', at, out);
      return out;
    }
    const state = usageStateOf(u.type, u.packageName);
    if (!state) return out;
    this.close(s, state.kind, at, out);
    s.open.set(state.kind, {
      value: state.value,
      from: at,
      locator: `${this.origin} line ${u.line}`,
    });
    return out;
  }

  /**
   * The states still open, ended at the user's last event (so none reaches past its own
   * coverage, whatever other records of the same file cover), and each user's coverage windows.
   */
  end(): (DeviceStateRecord | DeviceStateCoverageRecord | WarningRecord)[] {
    const out: (DeviceStateRecord | DeviceStateCoverageRecord | WarningRecord)[] = [];
    for (const s of this.users.values()) {
      for (const kind of KINDS) {
        const o = s.open.get(kind);
        const r = o ? s.runs.keep(closedState(kind, o, s.runs.last(), 'usagestats')) : null;
        if (r) out.push(r);
      }
      s.open.clear();
      for (const kind of KINDS)
        out.push({
          type: 'device-state-coverage',
          kind,
          basis: 'usagestats',
          fromMs: s.first,
          toMs: s.last,
        });
    }
    this.users.clear();
    if (this.steps > MAX_STEP_WARNINGS)
      out.push(
        stepWarning(
          this.origin,
          this.firstUnwarned,
          `${this.steps - MAX_STEP_WARNINGS} more usagestats events, from this one on, are earlier than the event before them; each ends the screen, lock and app states there like the ones warned about before.`,
        ),
      );
    this.steps = 0;
    this.firstUnwarned = null;
    return out;
  }

  // Ends the kind's open state at `at`, keeping only what lies after the times already read.
  private close(
    s: UserStates,
    kind: Kind,
    at: Instant,
    out: (DeviceStateRecord | WarningRecord)[],
    endsRun = false,
  ): void {
    const o = s.open.get(kind);
    if (!o) return;
    s.open.delete(kind);
    const r = s.runs.keep(closedState(kind, o, at, 'usagestats'), endsRun);
    if (r) out.push(r);
  }
}
