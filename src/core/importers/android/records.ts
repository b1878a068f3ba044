// Turns the lines of an Android capture's sections into import records as they are read: app-op
// accesses, rejects and history, usage events, package permissions and the app inventory. Only
// what a record still needs from later lines is held (see AppOpsSection); the rest goes out at once.
import {
  androidOpCategory,
  androidPermissionCategory,
  androidUidState,
} from '../../../contract/android-ops';
import type {
  AccessIntervalRecord,
  ImportRecord,
  Instant,
  WarningRecord,
} from '../../model/import-records';
import { AppOpsParser } from './appops';
import { MAX_DATE_MS, instant, type Clock } from './clock';
import type { AndroidSectionStream } from './input';
import { PackagesParser, parsePackagesJson, type AndroidPackage } from './packages';
import type { SectionSink } from './sections';
import type { AppOpEvent, AppOpHistoryEntry } from './types';
import { UsageStatsParser, type UsageEvent } from './usagestats';
import { UsageStateTracker } from './usagestats-states';
import { BatteryHistoryStates } from './batterystats-history';

/** The most proxy-flagged accesses of one section held for de-duplication (see AppOpsSection). */
export const MAX_HELD_PROXY_ACCESSES = 200_000;

/** The most characters of packages.json read (the reader's JSON bound, 64 MiB). */
const MAX_JSON_CHARS = 64 * 1024 * 1024;

/** A section read, as the source's details list it. */
export interface SectionSeen {
  service: string;
  origin: string;
  line: number;
}

/** A CAPTURE_NOTE warning located at `<origin> line N` (or the origin alone). */
export function captureNote(line: number | null, origin: string, message: string): WarningRecord {
  return {
    type: 'warning',
    warning: {
      line,
      locator: line === null ? origin : `${origin} line ${line}`,
      code: 'CAPTURE_NOTE',
      message,
    },
  };
}

/**
 * Receives the sections of one source and puts their records in `out`, for the reader to take
 * in batches (`take`). `lines` counts the sections' lines as the source's line count.
 */
export class AndroidRecordBuilder implements AndroidSectionStream {
  out: ImportRecord[] = [];
  lines = 0;
  /** Characters of the section lines read (with their line ends), for progress. */
  bytes = 0;
  readonly sections: SectionSeen[] = [];
  /** Set by the reader that takes the records: holds the reading back while a batch waits. */
  pause?: () => Promise<void>;

  constructor(
    readonly clock: Clock,
    readonly captureMs: number | null,
  ) {}

  /** The records gathered since the last take. */
  take(): ImportRecord[] {
    const batch = this.out;
    this.out = [];
    return batch;
  }

  /** A section starts: its lines go to the parser of its service. */
  open(service: string, origin: string, startLine: number): SectionSink {
    this.sections.push({ service, origin, line: startLine });
    let inner: SectionSink | null = null;
    if (service === 'appops') inner = new AppOpsSection(this, origin);
    else if (service === 'usagestats') inner = usageSection(this, origin);
    else if (service === 'package') inner = packageSection(this, origin);
    else if (service === 'packages-json') inner = packagesJsonSection(this, origin);
    else if (service === 'batterystats') inner = batterySection(this, origin);
    // Every section's lines count, as when the text was held (an empty text is one line).
    let n = 0;
    return {
      line: (text, lineNo) => {
        n += 1;
        this.bytes += text.length + 1;
        inner?.line(text, lineNo);
      },
      end: () => {
        this.lines += Math.max(1, n);
        inner?.end();
      },
    };
  }

  /** Records a CAPTURE_NOTE warning. */
  note(line: number | null, origin: string, message: string): void {
    this.out.push(captureNote(line, origin, message));
  }

  /** The instant of a printed wall-clock time. */
  at(wallMs: number): Instant {
    return instant(this.clock, wallMs);
  }
}

function rawStateOf(uidState: string | null, flag: string | null): string | null {
  return uidState === null ? null : `${uidState}${flag ? `-${flag}` : ''}`;
}

/**
 * `dumpsys appops`. A proxied access is printed twice with the same time: under the app it was
 * blamed on (flag tpd/upd, with proxy details) and under the proxy app (flag tp/up), in other
 * package blocks of the same section, in either order. So the accesses that take part (those
 * with a time and flag tp/up, or with a proxy package) are held until the section ends, where
 * the proxy's own line is linked to the blamed app's access and not counted again. They are few
 * (Android keeps one last access per op, tag, state and flag); a crafted section holding more
 * than MAX_HELD_PROXY_ACCESSES has the rest stored without de-duplication, with a warning.
 */
class AppOpsSection implements SectionSink {
  private readonly parser: AppOpsParser;
  private held: { e: AppOpEvent; seq: number }[] = [];
  private overflowed = false;

  constructor(
    private readonly b: AndroidRecordBuilder,
    private readonly origin: string,
  ) {
    this.parser = new AppOpsParser({
      event: (e, seq) => this.event(e, seq),
      history: (h) => this.history(h),
      problem: (p) => b.note(p.line, origin, p.message),
    });
  }

  line(text: string, lineNo: number): void {
    this.parser.push(text, lineNo);
  }

  end(): void {
    this.parser.end();
    const held = this.held.sort((x, y) => x.seq - y.seq).map((h) => h.e);
    this.held = [];
    const key = (pkg: string, e: AppOpEvent): string => `${pkg}\n${e.op}\n${e.time!.text}`;
    const proxyLines = new Map<string, AppOpEvent>();
    for (const e of held)
      if (e.flag === 'tp' || e.flag === 'up') proxyLines.set(key(e.packageName, e), e);
    const consumed = new Set<AppOpEvent>();
    for (const e of held) {
      if (!e.proxy?.packageName || (e.flag !== 'tpd' && e.flag !== 'upd')) continue;
      const partner = proxyLines.get(key(e.proxy.packageName, e));
      if (partner) consumed.add(partner);
    }
    for (const e of held) {
      if (consumed.has(e)) continue;
      const partner = e.proxy?.packageName
        ? (proxyLines.get(key(e.proxy.packageName, e)) ?? null)
        : null;
      this.store(e, partner);
    }
  }

  private event(e: AppOpEvent, seq: number): void {
    const takesPart =
      e.kind === 'access' &&
      e.time !== null &&
      (e.flag === 'tp' || e.flag === 'up' || !!e.proxy?.packageName);
    if (!takesPart) {
      this.store(e, null);
      return;
    }
    if (this.held.length >= MAX_HELD_PROXY_ACCESSES) {
      if (!this.overflowed) {
        this.overflowed = true;
        this.b.note(
          e.line,
          this.origin,
          `More than ${MAX_HELD_PROXY_ACCESSES} accesses of this section are printed through a proxy; from here on they are stored without linking the proxy app's line to the blamed app's.`,
        );
      }
      this.store(e, null);
      return;
    }
    this.held.push({ e, seq });
  }

  private history(h: AppOpHistoryEntry): void {
    const b = h.begin ? this.b.at(h.begin.wallMs) : null;
    const en = h.end ? this.b.at(h.end.wallMs) : null;
    const rawState = rawStateOf(h.uidState, h.flag);
    this.b.out.push({
      type: 'op-history',
      line: h.line,
      rawLine: h.rawLine,
      app: h.packageName,
      recordKey: `hist:${h.packageName ?? h.uid ?? ''}:${h.op}:${h.attributionTag ?? ''}:${rawState ?? ''}:${h.begin?.text ?? ''}:${h.end?.text ?? ''}`,
      op: h.op,
      category: androidOpCategory(h.op),
      attributionTag: h.attributionTag,
      state: androidUidState(h.uidState),
      rawState,
      beginMs: b?.ms ?? null,
      endMs: en?.ms ?? null,
      offsetMin: b?.offsetMin ?? en?.offsetMin ?? null,
      accessCount: h.accessCount,
      rejectCount: h.rejectCount,
      durationMs: h.durationMs,
    });
  }

  private store(e: AppOpEvent, partner: AppOpEvent | null): void {
    const captureMs = this.b.captureMs;
    let start: Instant;
    if (e.time) start = this.b.at(e.time.wallMs);
    else if (e.relativeMs !== null && captureMs !== null) {
      const ms = captureMs - e.relativeMs;
      if (Math.abs(ms) > MAX_DATE_MS) {
        this.b.note(
          e.line,
          this.origin,
          `${e.packageName} ${e.op}: the capture time less the time before the dump is no date; skipped.`,
        );
        return;
      }
      start = { ms, offsetMin: this.b.at(ms).offsetMin };
    } else {
      this.b.note(
        e.line,
        this.origin,
        `${e.packageName} ${e.op}: only a time relative to the dump is printed and the capture time is unknown; skipped.`,
      );
      return;
    }
    const state = androidUidState(e.uidState);
    const rawState = rawStateOf(e.uidState, e.flag);
    const key = `aop:${e.origin}:${e.packageName}:${e.op}:${e.attributionTag ?? ''}:${rawState ?? ''}:${e.time?.text ?? start.ms}`;
    const category = androidOpCategory(e.op);
    if (e.kind === 'reject') {
      this.b.out.push({
        type: 'reject',
        line: e.line,
        rawLine: e.rawLine,
        app: e.packageName,
        recordKey: key,
        op: e.op,
        category,
        time: start,
        state,
        rawState,
        attributionTag: e.attributionTag,
        proxy: e.proxy,
      });
      return;
    }
    const rec: AccessIntervalRecord = {
      type: 'access-interval',
      line: e.line,
      rawLine: e.rawLine,
      app: e.packageName,
      rawCategory: e.op,
      category,
      intervalKey: key,
      start,
      rawTs: e.time?.text ?? `-${e.relativeMs}ms`,
      // A running access, or one without a printed length, is stored as a zero-length session
      // whose length is not known (durationKnown false), as it always has been.
      durationMs: e.running ? 0 : (e.durationMs ?? 0),
      durationKnown: e.durationMs !== null && !e.running,
      state,
      rawState,
      attributionTag: e.attributionTag,
      proxy: e.proxy,
      linked: partner
        ? { line: partner.line, app: partner.packageName, rawLine: partner.rawLine }
        : null,
    };
    this.b.out.push(rec);
  }
}

function usageSection(b: AndroidRecordBuilder, origin: string): SectionSink {
  const states = new UsageStateTracker(origin);
  const parser = new UsageStatsParser({
    event: (u: UsageEvent) => {
      const time = b.at(u.time.wallMs);
      for (const r of states.event(u, time)) b.out.push(r);
      b.out.push({
        type: 'usage',
        line: u.line,
        rawLine: u.rawLine,
        app: u.packageName,
        recordKey: `${u.type}:${u.packageName ?? ''}:${u.className ?? ''}:${u.instanceId ?? ''}:${u.time.text}`,
        eventType: u.type,
        className: u.className,
        instanceId: u.instanceId,
        time,
      });
    },
    dailyStat: () => {},
    problem: (p) => b.note(p.line, origin, p.message),
  });
  return {
    line: (text, lineNo) => parser.push(text, lineNo),
    end: () => {
      parser.end();
      for (const r of states.end()) b.out.push(r);
    },
  };
}

function batterySection(b: AndroidRecordBuilder, origin: string): SectionSink {
  const states = new BatteryHistoryStates(origin, (wallMs) => b.at(wallMs));
  return {
    line: (text, lineNo) => {
      for (const r of states.line(text, lineNo)) b.out.push(r);
    },
    end: () => {
      for (const r of states.end()) b.out.push(r);
    },
  };
}

function packageSection(b: AndroidRecordBuilder, origin: string): SectionSink {
  const parser = new PackagesParser({
    package: (pkg: AndroidPackage) => {
      b.out.push({
        type: 'app',
        identifier: pkg.packageName,
        name: null,
        version: pkg.versionName,
        installed: true,
      });
      for (const perm of pkg.permissions) {
        if (perm.kind === 'requested') continue;
        const category = androidPermissionCategory(perm.name);
        if (perm.kind === 'install' && category === 'other') continue;
        b.out.push({
          type: 'permission',
          app: pkg.packageName,
          origin: 'android-package',
          raw: perm.name,
          category,
          status: perm.granted === true ? 'granted' : perm.granted === false ? 'denied' : 'unknown',
          reason:
            perm.kind === 'runtime'
              ? `runtime permission${perm.flags.length > 0 ? ` (${perm.flags.join(', ')})` : ''}`
              : 'install-time permission',
          time: pkg.lastUpdateTime ? b.at(pkg.lastUpdateTime.wallMs) : null,
          locator: `${origin} line ${pkg.line}`,
          rawFields: {
            ...perm,
            packageName: pkg.packageName,
            versionName: pkg.versionName,
            installer: pkg.installer,
            firstInstallTime: pkg.firstInstallTime?.text ?? null,
            lastUpdateTime: pkg.lastUpdateTime?.text ?? null,
          },
        });
      }
    },
    problem: (p) => b.note(p.line, origin, p.message),
  });
  return { line: (text, lineNo) => parser.push(text, lineNo), end: () => parser.end() };
}

// packages.json is one JSON array: its lines are joined and read at the end (the reader refuses
// a file over its JSON bound before any line comes).
function packagesJsonSection(b: AndroidRecordBuilder, origin: string): SectionSink {
  const lines: string[] = [];
  let chars = 0;
  return {
    line: (text) => {
      // The file may have grown since its size was checked: the bound is kept here too.
      chars += text.length + 1;
      if (chars <= MAX_JSON_CHARS) lines.push(text);
    },
    end: () => {
      let packages: ReturnType<typeof parsePackagesJson> = [];
      if (chars > MAX_JSON_CHARS) {
        b.note(
          null,
          origin,
          `${origin} is larger than the ${MAX_JSON_CHARS} characters allowed for a JSON file; its app list is not imported.`,
        );
        return;
      }
      try {
        packages = parsePackagesJson(lines.join('\n'));
      } catch (e) {
        // A damaged packages.json costs its own app list only; the rest of the capture is read.
        const why = (e as Error).message.replace(/^packages\.json /, '').replace(/\.$/, '');
        b.note(null, origin, `${origin} ${why}; its app list is not imported.`);
      }
      for (const pkg of packages)
        b.out.push({
          type: 'app',
          identifier: pkg.name,
          name: null,
          version: null,
          installed: true,
        });
    },
  };
}
