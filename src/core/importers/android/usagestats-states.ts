// The device's state from `dumpsys usagestats` events: SCREEN_INTERACTIVE / SCREEN_NON_INTERACTIVE
// give the screen, KEYGUARD_SHOWN / KEYGUARD_HIDDEN the lock, ACTIVITY_RESUMED the app in front
// (until its ACTIVITY_PAUSED or ACTIVITY_STOPPED, or another app's ACTIVITY_RESUMED). A device
// start or shutdown ends every state: nothing is assumed across a reboot. Each user's events are
// followed on their own, and the states' coverage is the span of that user's events in the section.
import type {
  DeviceStateCoverageRecord,
  DeviceStateRecord,
  Instant,
} from '../../model/import-records';
import { closedState, type OpenState } from './open-states';

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
  first: number;
  last: number;
  /** The latest event's instant: the states still open at the end hold to it. */
  lastAt: Instant;
  open: Map<Kind, OpenState>;
}

const KINDS: readonly Kind[] = ['screen', 'lock', 'foreground'];

/** Follows one usagestats section's events and gives the device-state records they imply. */
export class UsageStateTracker {
  private readonly users = new Map<string, UserStates>();

  constructor(private readonly origin: string) {}

  /** The records an event closes (at most one per kind, plus none for an event without state). */
  event(
    u: { user: number | null; type: string; packageName: string | null; line: number },
    at: Instant,
  ): DeviceStateRecord[] {
    if (!Number.isFinite(at.ms)) return [];
    const key = String(u.user);
    let s = this.users.get(key);
    if (!s) {
      s = { first: at.ms, last: at.ms, lastAt: at, open: new Map() };
      this.users.set(key, s);
    }
    s.first = Math.min(s.first, at.ms);
    if (at.ms >= s.last) s.lastAt = at;
    s.last = Math.max(s.last, at.ms);
    const out: DeviceStateRecord[] = [];
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
  end(): (DeviceStateRecord | DeviceStateCoverageRecord)[] {
    const out: (DeviceStateRecord | DeviceStateCoverageRecord)[] = [];
    for (const s of this.users.values()) {
      for (const kind of KINDS) {
        const o = s.open.get(kind);
        if (o) out.push(closedState(kind, o, s.lastAt, 'usagestats'));
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
    return out;
  }

  // Ends the kind's open state at `at`; an event printed before the state's start (the list out
  // of order) ends it where it began, so it is never in effect.
  private close(s: UserStates, kind: Kind, at: Instant, out: DeviceStateRecord[]): void {
    const o = s.open.get(kind);
    if (!o) return;
    s.open.delete(kind);
    out.push(closedState(kind, o, at, 'usagestats'));
  }
}
