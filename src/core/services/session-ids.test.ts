import { describe, expect, it } from 'vitest';
import { parseTarget } from './annotations';
import { parseSessionId, sessionId } from './session-ids';

describe('session ids', () => {
  it('read back every interval key an import may store, line breaks included', () => {
    for (const key of ['a', 'a:b', 'a\nb', '\r\n', 'x\u2028y', ' ', 'é😀']) {
      const id = sessionId(7, key);
      expect(parseSessionId(id), JSON.stringify(key)).toEqual({ deviceId: 7, intervalKey: key });
      expect(parseTarget(id)).toEqual({ kind: 'access', deviceId: 7, intervalKey: key });
    }
  });

  it('refuse what is not one', () => {
    for (const id of ['s:7:', 's::a', 's:x:a', 'x:7:a', 's7:a', ''])
      expect(() => parseSessionId(id), id).toThrow(/Not a session id/);
  });
});
