import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import { lookupApp } from './catalog';
import { CATALOG_APPS } from './catalog-data';
import { expectationOf, expectedResources } from './expectations';
import { KIND_EXPECTATIONS } from './sources';

describe('catalog expectations', () => {
  it('list an app’s own expectations with their basis, then its kind’s, each once', () => {
    const camera = lookupApp('com.apple.camera', 'ios')!.entry.app;
    expect(expectedResources(camera).map((e) => e.category)).toEqual(['camera']);
    expect(expectationOf(camera, 'camera')).toMatch(/^category default: the app is for taking/);
    const wechat = lookupApp('com.tencent.mm', 'android')!.entry.app;
    expect(expectedResources(wechat).map((e) => e.category)).toEqual(['camera', 'microphone']);
    expect(expectationOf(wechat, 'microphone')).toMatch(/^category default for messengers/);
    expect(expectationOf(wechat, 'photos')).toBeNull();
  });

  it('say where every expectation of every app comes from, as a stated default', () => {
    for (const app of CATALOG_APPS) {
      const list = expectedResources(app);
      expect(new Set(list.map((e) => e.category)).size, app.key).toBe(list.length);
      for (const e of list) {
        expect(CATEGORIES, app.key).toContain(e.category);
        expect(e.basis, app.key).toMatch(/^category default/);
      }
    }
    for (const k of Object.values(KIND_EXPECTATIONS))
      for (const c of k.expects) expect(CATEGORIES).toContain(c);
  });
});
