import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import { FINDING_RULES, type Severity } from '../../contract/findings';
import { fuzzOptions } from '../testing/fuzz';
import { weighSeverity, type Expectedness } from './expectation';

const LEVEL: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };

const otherKnowledge: fc.Arbitrary<Expectedness> = fc.oneof(
  fc.constant<Expectedness>({ kind: 'unknown' }),
  fc.constant<Expectedness>({ kind: 'first-party' }),
  fc.string().map<Expectedness>((appKind) => ({ kind: 'unexpected', appKind })),
);

describe('weighSeverity', () => {
  it('never raises the severity when the only change is that the catalog expects the resource', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Severity>('info', 'low', 'medium', 'high'),
        fc.constantFrom(...FINDING_RULES),
        fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
        otherKnowledge,
        fc.string(),
        (base, rule, category, before, basis) => {
          const was = weighSeverity(base, rule, category, before);
          const now = weighSeverity(base, rule, category, { kind: 'expected', basis });
          expect(LEVEL[now]).toBeLessThanOrEqual(LEVEL[was]);
          expect(LEVEL[now]).toBeLessThanOrEqual(LEVEL[base]);
        },
      ),
      fuzzOptions(300),
    );
  });
});
