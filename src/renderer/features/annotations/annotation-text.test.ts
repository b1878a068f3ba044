import { describe, expect, it } from 'vitest';
import type { Annotation } from '../../../contract/findings';
import {
  collectTags,
  describeAnnotationChange,
  parseTagInput,
  summarizeAuditEntry,
} from './annotation-text';

const ann = (tags: string[], star = false, note: string | null = null): Annotation => ({
  target: 's:1:A',
  kind: 'access',
  star,
  tags,
  note,
  updatedAt: '2024-05-01T00:00:00.000Z',
});

describe('annotation text', () => {
  it('collects the tags in use, unique and sorted', () => {
    expect(collectTags([ann(['night', 'b']), ann(['a', 'night'])])).toEqual(['a', 'b', 'night']);
    expect(collectTags([])).toEqual([]);
  });

  it('parses typed tags', () => {
    expect(parseTagInput(' night, wechat ,,night ')).toEqual(['night', 'wechat']);
    expect(parseTagInput('   ')).toEqual([]);
    expect(parseTagInput('x'.repeat(101))).toEqual([]);
  });

  it('describes an annotation change', () => {
    expect(
      describeAnnotationChange({ target: 's:1:A', before: null, after: ann(['n'], true, 'hi') }),
    ).toBe('s:1:A: starred; tagged n; note added');
    expect(
      describeAnnotationChange({
        target: 's:1:A',
        before: ann(['n', 'm'], true, 'a'),
        after: null,
      }),
    ).toBe('s:1:A: unstarred; untagged n, m; note cleared');
    expect(
      describeAnnotationChange({
        target: 'p:1',
        before: ann([], false, 'a'),
        after: ann([], false, 'b'),
      }),
    ).toBe('p:1: note edited');
  });

  it('summarises other audit entries as key: value pairs, cut to length', () => {
    expect(
      summarizeAuditEntry({
        action: 'import',
        details: { path: '/x', count: 3, ok: true, list: [1, 2] },
      }),
    ).toBe('path: /x, count: 3, ok: true, list: [2]');
    const long = summarizeAuditEntry({ action: 'x', details: { text: 'y'.repeat(500) } });
    expect(long.length).toBe(160);
    expect(long.endsWith('…')).toBe(true);
  });
});
