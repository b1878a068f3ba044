import type { Category } from '../../contract/categories';
import type { Finding, FindingRule, Severity } from '../../contract/findings';
import { lookupApp } from '../catalog/catalog';
import { createHash } from 'node:crypto';
import { CATALOG_APPS, CATALOG_IDS } from '../catalog/catalog-data';
import { expectationOf } from '../catalog/expectations';
import { KIND_EXPECTATIONS } from '../catalog/sources';
import type { Db } from '../db/open';
import { plural, resourceName } from './common';

/** What the built-in catalog says about an app's use of one resource. */
export type Expectedness =
  /** The app's purpose needs the resource; `basis` says where that comes from. */
  | { kind: 'expected'; basis: string }
  /** An iOS app of Apple's own (a `com.apple.` identifier the catalog lists as Apple's). */
  | { kind: 'first-party' }
  /** The catalog knows the app and does not list the resource among its expected ones. */
  | { kind: 'unexpected'; appKind: string }
  /** The catalog does not know the app (or the finding names no resource). */
  | { kind: 'unknown' };

/** How the rules' severities are weighed by the app's purpose, in words (for `--explain` and the docs). */
export const WEIGHING =
  "at most low when the built-in catalog says the app's purpose needs the resource or the app is Apple's own iOS app; one level higher (at most high) for photos, contacts, microphone or location used by an app the catalog knows and does not expect to, when the rule is night-access, background-access, regular-polling, screen-off-access or access-while-locked; otherwise as above (an app the catalog does not know keeps the rule's severity).";

/** Resources whose use by an app that does not need them ranks higher at unexpected times. */
export const PROBED_CATEGORIES: readonly Category[] = [
  'photos',
  'contacts',
  'microphone',
  'location',
];

/** Rules that say when an access happened in a way the owner is least likely to have asked for. */
export const TIMING_RULES: readonly FindingRule[] = [
  'night-access',
  'background-access',
  'regular-polling',
  'screen-off-access',
  'access-while-locked',
];

const LEVELS: readonly Severity[] = ['info', 'low', 'medium', 'high'];
const level = (s: Severity): number => LEVELS.indexOf(s);

let stamp: string | null = null;

/**
 * A hash of everything the weighing reads from the catalog (each identifier's app, vendor,
 * expectations and kind, and the kinds' defaults): part of the stored findings' stamp, so a change
 * to the catalog's expectations reaches findings stored before it.
 */
export function expectationsStamp(): string {
  stamp ??= createHash('sha256')
    .update(
      JSON.stringify([
        CATALOG_APPS.map((a) => [a.key, a.vendor, a.expects ?? [], a.kind ?? null]),
        CATALOG_IDS.map(([id, platforms, key]) => [id, platforms, key]),
        KIND_EXPECTATIONS,
      ]),
    )
    .digest('hex');
  return stamp;
}

/** The lower of two severities. */
export const minSeverity = (a: Severity, b: Severity): Severity => (level(a) <= level(b) ? a : b);

/**
 * What the catalog says about an app (as the source wrote its identifier) using a resource on a
 * platform. Only iOS apps count as first-party: an Android package name such as `com.android.x`
 * can be taken by any sideloaded app, so Android system apps are expected only what they list.
 */
export function expectednessOf(
  identifier: string | null,
  platform: string | null,
  category: Category | null,
): Expectedness {
  if (identifier === null || category === null || category === 'other') return { kind: 'unknown' };
  const p = platform === 'ios' || platform === 'android' ? platform : null;
  const match = lookupApp(identifier, p);
  if (!match) return { kind: 'unknown' };
  const app = match.entry.app;
  const basis = expectationOf(app, category);
  if (basis) return { kind: 'expected', basis };
  if (
    p !== 'android' &&
    app.vendor === 'Apple' &&
    match.entry.platforms.includes('ios') &&
    match.entry.id.toLowerCase().startsWith('com.apple.')
  )
    return { kind: 'first-party' };
  return { kind: 'unexpected', appKind: app.kind ?? 'app' };
}

/**
 * The severity of a finding once the app's purpose is weighed: a rule's own severity (from
 * counts) is capped at low when the app is expected to use the resource or is Apple's own app,
 * raised one level when the catalog knows the app, the resource is one of
 * {@link PROBED_CATEGORIES} that the app does not need, and the rule is a timing rule
 * ({@link TIMING_RULES}); otherwise it stays as the rule set it.
 */
export function weighSeverity(
  base: Severity,
  rule: FindingRule,
  category: Category | null,
  e: Expectedness,
): Severity {
  if (category === null || category === 'other' || base === 'info') return base;
  switch (e.kind) {
    case 'expected':
    case 'first-party':
      return minSeverity(base, 'low');
    case 'unexpected':
      if (PROBED_CATEGORIES.includes(category) && TIMING_RULES.includes(rule))
        return LEVELS[Math.min(LEVELS.length - 1, level(base) + 1)]!;
      return base;
    case 'unknown':
      return base;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** The rule's timing in words, from its details: "at night, on 5 nights". */
function timing(f: Finding): string {
  const d = f.details;
  switch (f.rule) {
    case 'night-access':
      return `accesses at night (${String(d.window ?? '')}), on ${plural(Number(d.nights ?? 0), 'night')}`;
    case 'background-access':
      return 'accesses in the background';
    case 'regular-polling':
      return 'accesses at machine-regular gaps between starts';
    case 'screen-off-access':
      return 'accesses with the screen off';
    case 'access-while-locked':
      return 'accesses while the device was locked with its screen off';
    default:
      return `${f.count} accesses`;
  }
}

/** One sentence saying why the finding has its severity. */
export function whySentence(f: Finding, e: Expectedness, base: Severity): string {
  const name = f.appName ?? f.app ?? 'The app';
  if (f.category === null || f.category === 'other')
    return `Severity follows the rule's own criteria (${base}).`;
  const res = resourceName(f.category);
  switch (e.kind) {
    case 'expected':
      return `${cap(res)} is what ${name} is for (${e.basis}), so this is at most low.`;
    case 'first-party':
      return `${name} is Apple's own app, whose accesses are normally made by the system or at the owner's request, so this is at most low.`;
    case 'unexpected':
      return PROBED_CATEGORIES.includes(f.category) && TIMING_RULES.includes(f.rule)
        ? `${cap(res)} is not something ${name} needs for its purpose (built-in catalog: ${e.appKind}); ${timing(f)}, so this ranks one level above the rule's own ${base}.`
        : `${cap(res)} is not something ${name} needs for its purpose (built-in catalog: ${e.appKind}); the rule's own severity (${base}) stands.`;
    case 'unknown':
      return `The built-in catalog does not know ${name}, so whether it needs ${res} is not known; the rule's own severity (${base}) stands.`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Each device's platform, by device id, as {@link applyExpectations} weighs findings by it. */
export function devicePlatforms(db: Db): Map<number, string> {
  return new Map(
    (
      db.prepare('SELECT id, platform FROM devices').all() as { id: number; platform: string }[]
    ).map((d) => [d.id, d.platform]),
  );
}

/**
 * Weighs every finding's severity by the app's purpose (see {@link weighSeverity}) and writes why
 * into `details.why`, with `details.ruleSeverity` (the rule's own) and `details.expectation`.
 * Changes the findings in place, so evidence attached to them stays attached. A caller weighing
 * findings a few at a time within one read snapshot passes the platforms it read once.
 */
export function applyExpectations(
  db: Db,
  findings: Finding[],
  platforms: ReadonlyMap<number, string> = devicePlatforms(db),
): void {
  for (const f of findings) {
    const e = expectednessOf(f.app, platforms.get(f.deviceId) ?? null, f.category);
    const base = f.severity;
    f.severity = weighSeverity(base, f.rule, f.category, e);
    f.details.ruleSeverity = base;
    f.details.expectation = e.kind;
    f.details.why = whySentence(f, e, base);
  }
}
