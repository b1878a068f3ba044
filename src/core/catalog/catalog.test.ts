import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import { CATALOG_APPS, CATALOG_IDS } from './catalog-data';
import {
  catalogDisplayName,
  catalogEntries,
  catalogSearchNames,
  crossPlatformCounterparts,
  lookupApp,
} from './catalog';
import { CATALOG_SOURCES, EXPECTATION_BASIS } from './sources';

describe('lookupApp', () => {
  it('finds an identifier exactly, ignoring case', () => {
    expect(lookupApp('com.tencent.xin')?.entry.app.name).toBe('WeChat');
    expect(lookupApp('COM.TENCENT.XIN')?.entry.app.name).toBe('WeChat');
    expect(lookupApp('com.tencent.mm', 'android')?.entry.app.nativeName).toBe('微信');
    expect(lookupApp('com.apple.mobileslideshow')?.entry.app.name).toBe('Photos');
    expect(lookupApp('com.apple.camera')?.entry.app.name).toBe('Camera');
    expect(lookupApp('com.tencent.xin')?.kind).toBe('exact');
  });

  it('removes an Apple Team-ID prefix', () => {
    const m = lookupApp('ABCDE12345.com.tencent.xin');
    expect(m?.entry.id).toBe('com.tencent.xin');
    expect(m?.teamId).toBe('ABCDE12345');
    expect(m?.kind).toBe('exact');
  });

  it('keeps a prefix that is not a Team ID (not ten uppercase letters or digits)', () => {
    expect(lookupApp('abcde12345.com.tencent.xin')).toBeNull();
    expect(lookupApp('ABCDE1234.com.tencent.xin')).toBeNull();
  });

  it('maps an iOS app extension to its parent, marked as an extension', () => {
    const m = lookupApp('com.tencent.xin.sharetodesktop');
    expect(m?.entry.id).toBe('com.tencent.xin');
    expect(m?.kind).toBe('extension');
    expect(m?.extension).toBe('sharetodesktop');
    expect(catalogDisplayName(m!)).toBe('WeChat (extension)');
    const team = lookupApp('ABCDE12345.com.tencent.xin.WeChatNotificationServiceExtension');
    expect(team?.entry.app.name).toBe('WeChat');
    expect(team?.kind).toBe('extension');
  });

  it('prefers a separate app of the catalog over the parent it extends', () => {
    expect(lookupApp('com.ss.iphone.ugc.aweme.lite')?.entry.app.key).toBe('douyin-lite');
  });

  it('never treats an Android package as an extension', () => {
    expect(lookupApp('com.tencent.mm.plugin', 'android')).toBeNull();
    expect(lookupApp('com.tencent.xin.share', 'android')).toBeNull();
  });

  it('does not walk up to a one-label parent or match unrelated identifiers', () => {
    expect(lookupApp('com.example.unknown')).toBeNull();
    expect(lookupApp('com')).toBeNull();
    expect(lookupApp('')).toBeNull();
    expect(lookupApp('   ')).toBeNull();
    expect(lookupApp('com.tencent.xin.')).toBeNull();
    expect(lookupApp('x'.repeat(600))).toBeNull();
  });

  it('gives search names in English, the native name and aliases', () => {
    const wechat = lookupApp('com.tencent.xin')!.entry.app;
    expect(catalogSearchNames(wechat)).toEqual(['wechat', '微信']);
    const photos = lookupApp('com.apple.mobileslideshow')!.entry.app;
    expect(catalogSearchNames(photos)).toContain('照片');
  });

  it('lists cross-platform counterparts', () => {
    const wechat = crossPlatformCounterparts().find((c) => c.app.key === 'wechat');
    expect(wechat?.ios).toEqual(['com.tencent.xin']);
    expect(wechat?.android).toEqual(['com.tencent.mm']);
  });
});

// Reverse-DNS identifiers: labels of letters, digits, `-` and `_`, joined by dots. A few real
// identifiers have one label (Pinterest's `pinterest`).
const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const ANDROID_SHAPE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

describe('catalog data integrity', () => {
  it('has no duplicate identifier (ignoring case) and no duplicate app key', () => {
    const ids = CATALOG_IDS.map(([id]) => id.toLowerCase());
    expect(ids.length).toBe(new Set(ids).size);
    const keys = CATALOG_APPS.map((a) => a.key);
    expect(keys.length).toBe(new Set(keys).size);
    expect(catalogEntries().length).toBe(CATALOG_IDS.length);
  });

  it('gives every identifier an app, a platform, a confidence and known sources', () => {
    const apps = new Set(CATALOG_APPS.map((a) => a.key));
    for (const [id, platforms, key, confidence, sources] of CATALOG_IDS) {
      expect(apps.has(key), `${id}: app ${key}`).toBe(true);
      expect(platforms.length, id).toBeGreaterThan(0);
      expect(new Set(platforms).size, id).toBe(platforms.length);
      for (const p of platforms) expect(['ios', 'android']).toContain(p);
      expect(['verified', 'known']).toContain(confidence);
      expect(sources.length, id).toBeGreaterThan(0);
      for (const s of sources) expect(CATALOG_SOURCES[s], `${id}: source ${s}`).toBeDefined();
    }
  });

  it('marks confidence by the stated rule: vendor list or two sources -> verified', () => {
    for (const [id, , , confidence, sources] of CATALOG_IDS) {
      const vendor = sources.some((s) => CATALOG_SOURCES[s].vendor);
      const expected = vendor || new Set(sources).size >= 2 ? 'verified' : 'known';
      expect(confidence, id).toBe(expected);
    }
  });

  it('holds syntactically valid bundle ids and package names', () => {
    for (const [id, platforms] of CATALOG_IDS) {
      expect(id, id).toMatch(ID_SHAPE);
      if (platforms.includes('android')) expect(id, id).toMatch(ANDROID_SHAPE);
    }
  });

  it('gives every app a name and a vendor, and native names and aliases that are not empty', () => {
    const used = new Set(CATALOG_IDS.map(([, , key]) => key));
    for (const app of CATALOG_APPS) {
      expect(app.name.trim(), app.key).not.toBe('');
      expect(app.name, app.key).toBe(app.name.trim());
      expect(app.vendor.trim(), app.key).not.toBe('');
      if (app.nativeName !== undefined) {
        expect(app.nativeName.trim(), app.key).not.toBe('');
        expect(app.nativeName, app.key).not.toBe(app.name);
      }
      for (const a of app.aliases ?? []) expect(a.trim(), app.key).not.toBe('');
      for (const e of app.expects ?? []) {
        expect(CATEGORIES, app.key).toContain(e);
        expect(EXPECTATION_BASIS[e], `${app.key}: basis of ${e}`).toBeDefined();
      }
      expect(used.has(app.key), `${app.key} has no identifier`).toBe(true);
    }
  });

  it('names every source by a URL', () => {
    for (const s of Object.values(CATALOG_SOURCES)) expect(s.url).toMatch(/^https:\/\//);
  });

  it('covers more than 500 identifiers', () => {
    expect(CATALOG_IDS.length).toBeGreaterThanOrEqual(500);
  });
});
