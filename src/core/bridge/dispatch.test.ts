import { describe, expect, it, vi } from 'vitest';
import type { ApiHandlers } from '../../contract/api';
import { AppError } from '../model/errors';
import { dispatch } from './dispatch';

function fakeHandlers(overrides: Partial<ApiHandlers>): ApiHandlers {
  return new Proxy(overrides, {
    get: (target, key) =>
      (target as Record<string | symbol, unknown>)[key] ??
      (() => {
        throw new Error(`unexpected call ${String(key)}`);
      }),
  }) as ApiHandlers;
}

describe('dispatch', () => {
  it('calls the handler with validated input and wraps the value', async () => {
    const createDevice = vi.fn((input: { label: string }) => ({ id: 1, label: input.label }));
    const r = await dispatch(
      fakeHandlers({ createDevice } as unknown as Partial<ApiHandlers>),
      'createDevice',
      { label: '  Phone  ' },
    );
    expect(r).toEqual({ ok: true, value: { id: 1, label: 'Phone' } });
    expect(createDevice).toHaveBeenCalledWith({ label: 'Phone' });
  });

  it('refuses unknown methods, including prototype names', async () => {
    for (const m of ['dropTables', 'constructor', '__proto__', 'toString', 42, null]) {
      const r = await dispatch(fakeHandlers({}), m, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('refuses invalid input without calling the handler', async () => {
    const removeSource = vi.fn();
    const handlers = fakeHandlers({ removeSource } as unknown as Partial<ApiHandlers>);
    for (const args of [
      {},
      { sourceId: -1 },
      { sourceId: '1' },
      { sourceId: 1, extra: true },
      'x',
    ]) {
      const r = await dispatch(handlers, 'removeSource', args);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(removeSource).not.toHaveBeenCalled();
  });

  it('keeps the code of expected errors and hides unexpected ones as INTERNAL, logging the stack', async () => {
    const log = vi.fn();
    const expected = fakeHandlers({
      getCase: () => {
        throw new AppError('NO_CASE_OPEN', 'No case is open.');
      },
    });
    expect(await dispatch(expected, 'getCase', {}, log)).toEqual({
      ok: false,
      error: { code: 'NO_CASE_OPEN', message: 'No case is open.' },
    });
    const broken = fakeHandlers({
      getCase: () => {
        throw new TypeError('secret internals at /home/x');
      },
    });
    const r = await dispatch(broken, 'getCase', {}, log);
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('getCase'), expect.any(TypeError));
  });
});
