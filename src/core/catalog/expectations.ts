import type { Category } from '../../contract/categories';
import { EXPECTATION_BASIS, KIND_EXPECTATIONS } from './sources';
import type { CatalogApp, Expectation } from './types';

/**
 * The resources a catalog app is expected to use, each with where the expectation comes from:
 * the app's own `expects` (with the per-resource basis), then its kind's defaults.
 */
export function expectedResources(app: CatalogApp): Expectation[] {
  const out = new Map<Category, string>();
  for (const c of app.expects ?? []) {
    const basis = EXPECTATION_BASIS[c];
    if (basis) out.set(c, basis);
  }
  if (app.kind) {
    const k = KIND_EXPECTATIONS[app.kind];
    for (const c of k.expects) if (!out.has(c)) out.set(c, k.basis);
  }
  return [...out].map(([category, basis]) => ({ category, basis }));
}

/** Why the app is expected to use the resource, or null when it is not. */
export function expectationOf(app: CatalogApp, category: Category): string | null {
  return expectedResources(app).find((e) => e.category === category)?.basis ?? null;
}
