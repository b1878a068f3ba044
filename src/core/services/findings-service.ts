import type { FindingEvidencePage } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import {
  FINDING_RULES,
  type Finding,
  type FindingParams,
  type FindingRule,
} from '../../contract/findings';
import type { DeviceKeyFindings } from '../../contract/key-findings';
import type { Db } from '../db/open';
import { findingsWithEvidence, storedFindingParams } from '../findings';
import {
  chosenRules,
  evidenceLimitOf,
  resolveParams,
  runFindings,
  sortFindings,
  type FindingsOptions,
} from '../findings/engine';
import { readKeyFindings } from '../findings/key-findings-store';
import { readStoredFindings } from '../findings/stored';
import { AppError } from '../model/errors';

/** The page size of a finding's evidence when none is asked for. */
export const EVIDENCE_PAGE = 100;

/** The key findings of the devices named (all when none are). */
export function queryKeyFindings(db: Db, deviceIds?: readonly number[]): DeviceKeyFindings[] {
  return readKeyFindings(db, deviceIds);
}

/**
 * One page of a finding's evidence, for the filter and parameters the finding was listed with
 * (the case's when none are given). NOT_FOUND when no such finding exists for them.
 */
export function findingEvidencePage(
  db: Db,
  input: {
    filter: Filter;
    params?: FindingParams;
    findingId: string;
    offset?: number;
    limit?: number;
  },
): FindingEvidencePage {
  const params = input.params ?? storedFindingParams(db);
  // The rule is part of the id (`f:<rule>:…`), so only that rule is run.
  const rule = FINDING_RULES.find((r) => input.findingId.startsWith(`f:${r}:`));
  if (!rule) throw new AppError('INVALID_INPUT', `${input.findingId} is not a finding id.`);
  const { findings, evidenceOf } = findingsWithEvidence(db, input.filter, params, 0, [rule]);
  const f = findings.find((x) => x.id === input.findingId);
  if (!f)
    throw new AppError(
      'NOT_FOUND',
      `No finding ${input.findingId} for this filter; the case may have changed since the list was read.`,
    );
  const all = evidenceOf(f);
  const offset = Math.min(input.offset ?? 0, all.length);
  const limit = input.limit ?? EVIDENCE_PAGE;
  return { ids: all.slice(offset, offset + limit), total: all.length, offset, finding: f };
}

/** A finding as a list shows it: its caveat and details left for when it is opened. */
export function findingListItem(f: Finding): Finding {
  return { ...f, caveat: '', details: {} };
}

/**
 * The findings as `runFindings` gives them, or with `list` as a list shows them
 * ({@link findingListItem}): read so from the stored findings when they answer.
 */
export function queryFindingsList(
  db: Db,
  filter: Filter,
  params: FindingParams,
  rules: FindingRule[] | undefined,
  options: FindingsOptions & { list?: boolean },
): Finding[] {
  const { list, ...rest } = options;
  if (!list) return runFindings(db, filter, params, rules, rest);
  const stored = readStoredFindings(
    db,
    filter,
    resolveParams(params),
    chosenRules(rules),
    evidenceLimitOf(rest),
    true,
  );
  if (stored) return sortFindings(stored);
  return runFindings(db, filter, params, rules, rest).map(findingListItem);
}
