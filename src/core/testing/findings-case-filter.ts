import fc from 'fast-check';
import type { Filter } from '../../contract/filter';

/**
 * Filter fields over what `fillFindingsCase` writes (devices 1–4; some of its apps and
 * categories, and some it never writes), for property tests to spread into their filters.
 */
export const findingsCaseFilterFields = {
  devices: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
  apps: fc.uniqueArray(fc.constantFrom('com.a.one', 'shared', 'com.c.three', 'one'), {
    maxLength: 2,
  }),
  categories: fc.uniqueArray(fc.constantFrom('photos', 'camera', 'location', 'other'), {
    maxLength: 2,
  }),
};

/** Filters of devices, apps and categories over a `fillFindingsCase` case, any of them absent. */
export const findingsCaseFilter = fc.record(findingsCaseFilterFields, {
  requiredKeys: [],
}) as fc.Arbitrary<Filter>;
