import { describe, expect, it } from 'vitest';
import type { SnoopscopeBridge } from '../../contract/bridge';
import { createActivity } from '../app/activity';
import { createClient } from './client';
import {
  createHttpBridge,
  parseEnvelope,
  parseResultBody,
  resolveToken,
  TOKEN_HEADER,
  TOKEN_STORAGE_KEY,
} from './http';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => {
      data.set(k, v);
    },
  };
}

describe('resolveToken', () => {
  it('takes the token from the query and remembers it', () => {
    const s = memoryStorage();
    expect(resolveToken('?token=abc123', s)).toBe('abc123');
    expect(s.data.get(TOKEN_STORAGE_KEY)).toBe('abc123');
  });

  it('falls back to the stored token after a reload without the query', () => {
    const s = memoryStorage();
    s.setItem(TOKEN_STORAGE_KEY, 'kept');
    expect(resolveToken('', s)).toBe('kept');
    expect(resolveToken('?other=1', null)).toBeNull();
  });
});

describe('parseResultBody', () => {
  it('accepts success and error envelopes', () => {
    expect(parseResultBody({ ok: true, value: [1] })).toEqual({ ok: true, value: [1] });
    expect(parseResultBody({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'gone' },
    });
  });

  it('maps unknown codes and malformed bodies to INTERNAL', () => {
    const r = parseResultBody({ ok: false, error: { code: 'WHAT', message: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INTERNAL');
    expect(parseResultBody('nope').ok).toBe(false);
    expect(parseResultBody({ ok: false }).ok).toBe(false);
  });

  it('turns an absent value into null', () => {
    expect(parseResultBody({ ok: true })).toEqual({ ok: true, value: null });
  });
});

describe('parseEnvelope', () => {
  it('parses known events', () => {
    expect(parseEnvelope('{"event":"onCaseChanged","payload":{"reason":"import"}}')).toEqual({
      event: 'onCaseChanged',
      payload: { reason: 'import' },
    });
  });

  it('rejects unknown events and invalid JSON', () => {
    expect(parseEnvelope('{"event":"onSomethingElse","payload":1}')).toBeNull();
    expect(parseEnvelope('not json')).toBeNull();
    expect(parseEnvelope('[1,2]')).toBeNull();
  });
});

describe('createHttpBridge', () => {
  it('posts method and args with the token header', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), init });
      return new Response(JSON.stringify({ ok: true, value: [] }), { status: 200 });
    }) as typeof fetch;
    const bridge = createHttpBridge({ token: 't0k', fetchImpl });
    const r = await bridge.invoke('listDevices', {});
    expect(r).toEqual({ ok: true, value: [] });
    expect(seen[0]?.url).toBe('/api/invoke');
    expect(seen[0]?.init?.method).toBe('POST');
    const headers = seen[0]?.init?.headers as Record<string, string>;
    expect(headers[TOKEN_HEADER]).toBe('t0k');
    expect(JSON.parse(String(seen[0]?.init?.body))).toEqual({ method: 'listDevices', args: {} });
  });

  it('reports a missing token and network failures as results', async () => {
    const noToken = createHttpBridge({ token: null });
    const a = await noToken.invoke('getCase', {});
    expect(a.ok).toBe(false);
    const failing = createHttpBridge({
      token: 'x',
      fetchImpl: (async () => {
        throw new Error('connection refused');
      }) as typeof fetch,
    });
    const b = await failing.invoke('getCase', {});
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.code).toBe('IO_ERROR');
  });
});

describe('createClient', () => {
  it('counts calls as activity and turns throws into INTERNAL results', async () => {
    const activity = createActivity(0);
    const bridge: SnoopscopeBridge = {
      invoke: () => Promise.reject(new Error('boom')),
      on: () => () => undefined,
    };
    const client = createClient(bridge, 'electron', activity);
    const pending = client.call('getCase', {});
    expect(activity.busy()).toBe(true);
    const r = await pending;
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(client.pathForFile({} as File)).toBeNull();
  });
});
