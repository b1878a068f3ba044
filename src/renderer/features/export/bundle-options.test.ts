import { describe, expect, it } from 'vitest';
import {
  bundleOptionsConflict,
  defaultBundleName,
  describeBundleOptions,
  parseAppList,
  quoteArg,
  redactedApps,
} from './bundle-options';

describe('defaultBundleName', () => {
  it('names the bundle after the case', () => {
    expect(defaultBundleName('Investigation 7')).toBe('Investigation 7-bundle.zip');
    expect(defaultBundleName('case.snoopscope')).toBe('case-bundle.zip');
  });
  it('replaces characters a file name cannot hold and never starts with a dot', () => {
    expect(defaultBundleName('a/b:c*d')).toBe('a-b-c-d-bundle.zip');
    expect(defaultBundleName('..hidden')).toBe('hidden-bundle.zip');
  });
  it('falls back to "case" for an empty name', () => {
    expect(defaultBundleName('   ')).toBe('case-bundle.zip');
  });
});

describe('parseAppList', () => {
  it('splits on commas and lines, trims, drops blanks and repeats', () => {
    expect(parseAppList(' com.a , com.b\ncom.a,,\n ')).toEqual(['com.a', 'com.b']);
    expect(parseAppList('')).toEqual([]);
  });
});

describe('redactedApps', () => {
  it('merges ticked and typed apps without repeats', () => {
    expect(redactedApps(['com.a', 'com.a'], 'com.b, com.a')).toEqual(['com.a', 'com.b']);
  });
});

describe('describeBundleOptions', () => {
  it('states masking and redaction in words', () => {
    expect(
      describeBundleOptions({
        redactContexts: true,
        redactApps: ['x'],
        includeSources: false,
        unmask: false,
      }),
    ).toBe(
      'identifiers masked · network contexts redacted · 1 app redacted · sources not included',
    );
    expect(
      describeBundleOptions({
        redactContexts: false,
        redactApps: [],
        includeSources: true,
        unmask: true,
      }),
    ).toContain('identifiers UNMASKED');
  });
});

describe('quoteArg', () => {
  it('leaves plain paths alone and single-quotes the rest', () => {
    expect(quoteArg('/tmp/case-bundle.zip')).toBe('/tmp/case-bundle.zip');
    expect(quoteArg('/tmp/my case.zip')).toBe("'/tmp/my case.zip'");
    expect(quoteArg("/tmp/it's.zip")).toBe("'/tmp/it'\\''s.zip'");
  });
});

describe('bundleOptionsConflict', () => {
  it('refuses copies of the sources with any redaction, and nothing else', () => {
    const base = { redactContexts: false, redactApps: [] as string[], includeSources: false };
    expect(bundleOptionsConflict(base)).toBeNull();
    expect(bundleOptionsConflict({ ...base, includeSources: true })).toBeNull();
    expect(
      bundleOptionsConflict({ ...base, redactContexts: true, redactApps: ['com.a'] }),
    ).toBeNull();
    for (const redaction of [{ redactContexts: true }, { redactApps: ['com.a'] }])
      expect(bundleOptionsConflict({ ...base, ...redaction, includeSources: true })).toMatch(
        /cannot include copies of the sources/,
      );
  });
});
