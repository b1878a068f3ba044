import type { Category } from './categories';
import type { DayWindow } from './filter';
import type { FindingRule, Severity } from './findings';

/** A length most of several apps' intervals of one resource have on a device. */
export interface IntervalClusterInfo {
  category: Category;
  /** The shared length, whole seconds. */
  seconds: number;
  /** How many apps' intervals mostly have it. */
  apps: number;
  /** The share of all the device's closed intervals of the resource within ±2 s of it. */
  share: number;
  /** What it means and does not mean, in words. */
  note: string;
}

/** One app that deserves attention, in one sentence, with the figures the sentence rests on. */
export interface KeyFinding {
  /** The most severe finding of the app and resource (its id opens its evidence). */
  findingId: string;
  deviceId: number;
  app: string;
  appName: string | null;
  category: Category;
  severity: Severity;
  /** App, resource, how often per observed day, when, how long, and what the data cannot prove. */
  sentence: string;
  /** Why the severity: the app's purpose and the rule's timing. */
  why: string;
  sessions: number;
  /** Device-local days with at least one of these sessions. */
  activeDays: number;
  /** Device-local days the device's access logs cover. */
  observedDays: number;
  perObservedDay: number;
  /** The fewest whole device-local hours holding most of the sessions (`to` exclusive). */
  hours: { from: number; to: number; share: number } | null;
  /** Closed intervals' lengths (whole seconds) and the device's shared length, if any. */
  intervals: {
    closed: number;
    open: number;
    medianSeconds: number | null;
    minSeconds: number | null;
    maxSeconds: number | null;
    systemSeconds: number | null;
  };
  cannotProve: string;
  /** The rules that found the app and resource. */
  rules: FindingRule[];
  findingIds: string[];
  /** The hours the finding is about (a night rule's window), for "Show on timeline". */
  window: DayWindow | null;
  first: string | null;
  last: string | null;
}

/** A finding listed under the key findings. */
export interface OtherFinding {
  id: string;
  rule: FindingRule;
  severity: Severity;
  category: Category | null;
  title: string;
  why: string | null;
  first: string | null;
  last: string | null;
  window: DayWindow | null;
}

/** The other findings of one app. */
export interface OtherApp {
  app: string | null;
  appName: string | null;
  /** The most severe of its findings. */
  severity: Severity;
  findings: OtherFinding[];
}

/** A device's key findings and everything else, grouped by app. */
export interface DeviceKeyFindings {
  deviceId: number;
  device: string;
  observedDays: number;
  key: KeyFinding[];
  others: OtherApp[];
  intervalClusters: IntervalClusterInfo[];
}
