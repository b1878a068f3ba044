import { formatInstant } from '../../contract/time';

/** Builders for synthetic App Privacy Report lines, for tests and benchmarks. */

/**
 * When a line says it happened: a UTC instant written with an offset, or a timestamp text written
 * as is (a literal date such as `2024-05-01T02:10:00.000+02:00`, or a malformed one).
 */
export type LineTime =
  | {
      /** UTC instant. */
      ms: number;
      /** Offset in minutes written into the timestamp. */
      offsetMin?: number;
      timeStamp?: never;
    }
  | { timeStamp: string; ms?: never; offsetMin?: never };

interface AccessFields {
  app: string;
  category: string;
  id: string;
  extra?: Record<string, unknown>;
}

export type AccessLineOptions = AccessFields & {
  kind: 'intervalBegin' | 'intervalEnd';
} & LineTime;

// The timestamp text of a line's time.
function stampOf(t: LineTime): string {
  return t.timeStamp ?? formatInstant(t.ms, t.offsetMin ?? 0);
}

/** One v4 access line (2022+ key order). */
export function accessLine(o: AccessLineOptions): string {
  return JSON.stringify({
    accessor: { identifier: o.app, identifierType: 'bundleID' },
    category: o.category,
    identifier: o.id,
    kind: o.kind,
    timeStamp: stampOf(o),
    type: 'access',
    ...o.extra,
  });
}

/**
 * A begin and end line pair for one interval: from an instant and a duration (the end written with
 * `endOffsetMin`, else the begin's offset), or from two timestamp texts written as they are.
 */
export function accessPair(
  o: AccessFields &
    (
      | { ms: number; offsetMin?: number; durationMs: number; endOffsetMin?: number }
      | { timeStamp: string; endTimeStamp: string }
    ),
): [string, string] {
  const { app, category, id, extra } = o;
  const fields = { app, category, id, ...(extra ? { extra } : {}) };
  if ('timeStamp' in o)
    return [
      accessLine({ ...fields, kind: 'intervalBegin', timeStamp: o.timeStamp }),
      accessLine({ ...fields, kind: 'intervalEnd', timeStamp: o.endTimeStamp }),
    ];
  return [
    accessLine({ ...fields, kind: 'intervalBegin', ms: o.ms, offsetMin: o.offsetMin }),
    accessLine({
      ...fields,
      kind: 'intervalEnd',
      ms: o.ms + o.durationMs,
      offsetMin: o.endOffsetMin ?? o.offsetMin,
    }),
  ];
}

export interface NetworkLineOptions {
  app: string;
  domain: string;
  /** First and last instants (UTC), written with `offsetMin`; or `first`/`last` as literal texts. */
  firstMs?: number;
  lastMs?: number;
  offsetMin?: number;
  /** The first timestamp written as is, instead of `firstMs`. */
  first?: string;
  /** The last timestamp written as is, instead of `lastMs`. */
  last?: string;
  hits?: number;
  domainType?: number;
  domainOwner?: string;
  context?: string;
  initiatedType?: string;
  /** Write the 10-key 2021 layout (no contextVerificationType/domainClassification). */
  legacy?: boolean;
  /**
   * False leaves contextVerificationType and domainClassification out of the current key order
   * (10 keys, as some exports write it).
   */
  classified?: boolean;
}

// A network line's timestamp: the literal text, else the instant with the line's offset.
function networkStamp(text: string | undefined, ms: number | undefined, offsetMin: number): string {
  if (text !== undefined) return text;
  if (ms === undefined)
    throw new Error('networkLine needs a time: give firstMs/lastMs or first/last');
  return formatInstant(ms, offsetMin);
}

/** One v4 network line. */
export function networkLine(o: NetworkLineOptions): string {
  const off = o.offsetMin ?? 0;
  const first = networkStamp(o.first, o.firstMs, off);
  const last = networkStamp(o.last, o.lastMs, off);
  if (o.legacy) {
    return JSON.stringify({
      domain: o.domain,
      firstTimeStamp: first,
      context: o.context ?? '',
      timeStamp: last,
      domainType: o.domainType ?? 2,
      initiatedType: o.initiatedType ?? 'AppInitiated',
      hits: o.hits ?? 1,
      type: 'networkActivity',
      domainOwner: o.domainOwner ?? '',
      bundleID: o.app,
    });
  }
  const classified = o.classified ?? true;
  return JSON.stringify({
    timeStamp: last,
    initiatedType: o.initiatedType ?? 'AppInitiated',
    context: o.context ?? '',
    domain: o.domain,
    ...(classified ? { contextVerificationType: o.context ? 2 : 0 } : {}),
    type: 'networkActivity',
    domainType: o.domainType ?? 2,
    firstTimeStamp: first,
    bundleID: o.app,
    domainOwner: o.domainOwner ?? '',
    hits: o.hits ?? 1,
    ...(classified ? { domainClassification: /^[\d.:]+$/.test(o.domain) ? 2 : 1 } : {}),
  });
}

/** A deterministic pseudo-random generator (mulberry32) so generated exports are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID-shaped, upper-case identifier derived from a number. */
export function intervalId(n: number, salt = 0): string {
  const h = (n * 2654435761 + salt) >>> 0;
  const hex = (n.toString(16).padStart(12, '0') + h.toString(16).padStart(8, '0')).toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-A${hex.slice(15, 18)}-${hex.slice(0, 12)}`;
}

const APPS = [
  'com.tencent.xin',
  'com.tencent.mqq',
  'com.taobao.taobao4iphone',
  'com.burbn.instagram',
  'com.facebook.Facebook',
  'com.apple.mobileslideshow',
  'com.apple.camera',
  'com.google.Maps',
  'ph.telegra.Telegraph',
  'net.whatsapp.WhatsApp',
  '5Q4J53EFRC.com.sbb.ch',
  'com.zhiliaoapp.musically',
];
const CATEGORIES = [
  'photos',
  'photos',
  'photos',
  'location',
  'contacts',
  'camera',
  'microphone',
  'mediaLibrary',
];

export interface GeneratedExport {
  lines: string[];
  intervals: number;
}

/**
 * Generates a realistic export: access intervals sorted by time (begin and end lines), then
 * network rows grouped by app, like iOS writes them.
 */
export function* generateExportLines(options: {
  intervals: number;
  startMs: number;
  offsetMin: number;
  seed?: number;
  networkRows?: number;
  /** Longest gap between two interval starts (default 90 s). */
  maxGapMs?: number;
}): Generator<string> {
  const rnd = seededRandom(options.seed ?? 1);
  let t = options.startMs;
  const pending: { end: number; line: string }[] = [];
  const flushUntil = function* (ms: number): Generator<string> {
    pending.sort((a, b) => a.end - b.end);
    while (pending.length > 0 && pending[0]!.end <= ms) yield pending.shift()!.line;
  };
  for (let i = 0; i < options.intervals; i += 1) {
    t += Math.floor(rnd() * (options.maxGapMs ?? 90_000));
    yield* flushUntil(t);
    const app = APPS[Math.floor(rnd() * APPS.length)]!;
    const category = CATEGORIES[Math.floor(rnd() * CATEGORIES.length)]!;
    const dur = rnd() < 0.05 ? 0 : Math.floor(rnd() * 60_000);
    const id = intervalId(i, options.seed ?? 1);
    const [b, e] = accessPair({
      app,
      category,
      id,
      ms: t,
      durationMs: dur,
      offsetMin: options.offsetMin,
    });
    yield b;
    pending.push({ end: t + dur, line: e });
  }
  yield* flushUntil(Number.MAX_SAFE_INTEGER);
  const rows = options.networkRows ?? 0;
  for (let i = 0; i < rows; i += 1) {
    const app = APPS[i % APPS.length]!;
    yield networkLine({
      app,
      domain: `host${i}.example${i % 7}.com`,
      firstMs: options.startMs + i * 1000,
      lastMs: t,
      offsetMin: options.offsetMin,
      hits: 1 + (i % 50),
      domainType: i % 5 === 0 ? 1 : 2,
      domainOwner: i % 5 === 0 ? 'Example Ads Inc.' : '',
    });
  }
}
