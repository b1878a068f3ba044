import { z } from 'zod';
import { categorySchema } from './categories';

/** The findings rules: a closed list, each documented where the engine defines it. */
export const FINDING_RULES = [
  'night-access',
  'background-access',
  'frequent-access',
  'regular-polling',
  'long-access',
  'screen-off-access',
  'access-while-locked',
  'profiling-domains',
  'new-sensitive-permission',
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];

export const severitySchema = z.enum(['high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof severitySchema>;

/**
 * One finding: one per device × app × category × rule. `evidence` lists the ids of the records
 * it rests on (access sessions `s:…`, permission `p:…`, reject `r:…`, usage `e:…`, network `n:…`),
 * each openable on the timeline or in the details panel.
 */
export const findingSchema = z.object({
  /** Stable: `f:<rule>:<deviceId>:<app>:<category>` (app and category empty when not applicable). */
  id: z.string(),
  rule: z.enum(FINDING_RULES),
  severity: severitySchema,
  deviceId: z.number().int(),
  device: z.string(),
  app: z.string().nullable(),
  appName: z.string().nullable(),
  category: categorySchema.nullable(),
  count: z.number().int(),
  /** First and last evidence instant, ISO-8601 with the device's offset. */
  first: z.string().nullable(),
  last: z.string().nullable(),
  /** Plain language, e.g. "WeChat read the photo library 14 times between 00:00 and 06:00 on 5 nights". */
  title: z.string(),
  /** What the data does not prove. */
  caveat: z.string(),
  evidence: z.array(z.string()),
  /** Rule-specific figures (nights, median gap, spread, inferred vs reported counts…). */
  details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type Finding = z.infer<typeof findingSchema>;

/** A rule's parameter: its name (`rule.name` on the command line), default and meaning. */
export interface FindingParam {
  name: string;
  default: number | string;
  unit: string;
  description: string;
}

export interface FindingRuleInfo {
  id: FindingRule;
  title: string;
  description: string;
  /** How the severity is decided, in words. */
  severity: string;
  caveat: string;
  params: FindingParam[];
}

/** Parameter values by `rule.name` (e.g. `night-access.from` = `00:00`, `frequent-access.perDay` = 10). */
export const findingParamsSchema = z.record(
  z.string().max(100),
  z.union([z.number(), z.string().max(100)]),
);
export type FindingParams = z.infer<typeof findingParamsSchema>;

/** An examiner's annotation of a record or a finding, by its stable id. */
export const annotationSchema = z.object({
  target: z.string(),
  kind: z.enum([
    'access',
    'permission',
    'network-usage',
    'profile',
    'reject',
    'usage',
    'network',
    'finding',
  ]),
  star: z.boolean(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  updatedAt: z.string(),
});
export type Annotation = z.infer<typeof annotationSchema>;
