import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { jsonObject, parsedJson, storedJson, storedStrings } from './json';

describe('JSON kept in a case', () => {
  it('reads what JSON.parse reads, and tells a text that is not JSON apart', () => {
    for (const text of ['null', '0', '"x"', '[1]', '{"a":[]}', ' {} '])
      expect(parsedJson(text)).toEqual(JSON.parse(text));
    for (const text of ['', '{', 'nul', '{"a":1,}', '"\u0001"'])
      expect(parsedJson(text)).toBe(undefined);
    expect(jsonObject('{"a":1}')).toEqual({ a: 1 });
    for (const text of ['[]', 'null', '"x"', '{']) expect(jsonObject(text)).toBeNull();
  });

  it('refuses a stored value that does not read, naming it', () => {
    const what = () => 'The tags of the annotation on s:1:k';
    expect(storedJson('{"a":1}', what)).toEqual({ a: 1 });
    expect(storedStrings('["a","b"]', what)).toEqual(['a', 'b']);
    for (const [text, read] of [
      ['["a"', storedJson],
      ['["a"', storedStrings],
      ['["a",1]', storedStrings],
      ['{"a":"b"}', storedStrings],
    ] as const) {
      let error: unknown;
      try {
        read(text, what);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CASE_INVALID');
      expect((error as AppError).message).toMatch(/^The tags of the annotation on s:1:k /);
    }
  });
});
