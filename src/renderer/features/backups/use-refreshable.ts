import { useCallback, useEffect, useState } from 'react';
import type { ApiMethod, ApiOutput, ApiRawInput } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';

export interface RefreshableState<T> {
  data: T | null;
  error: AppErrorShape | null;
  loading: boolean;
  /** True when `data` answered other arguments (a newer call with these is still loading). */
  stale: boolean;
  /** Asks again with the same arguments (e.g. after a phone was plugged in). */
  refresh(): void;
}

interface Stored<T> {
  key: string | null;
  args: string | null;
  data: T | null;
  error: AppErrorShape | null;
}

/**
 * Runs a bridge call whenever its arguments or the app's data version change, and on `refresh`;
 * `null` args skip it. Unlike `useQuery` it keeps the last answer visible while asking again, so a
 * list does not blink on refresh.
 */
export function useRefreshable<M extends ApiMethod>(
  method: M,
  args: ApiRawInput<M> | null,
): RefreshableState<ApiOutput<M>> {
  const { client, version } = useApp();
  const [nonce, setNonce] = useState(0);
  const argsJson = args === null ? null : JSON.stringify(args);
  const key = argsJson === null ? null : `${method}|${version}|${nonce}|${argsJson}`;
  const [stored, setStored] = useState<Stored<ApiOutput<M>>>({
    key: null,
    args: null,
    data: null,
    error: null,
  });

  useEffect(() => {
    if (key === null || argsJson === null) return;
    let live = true;
    void client.call(method, JSON.parse(argsJson) as ApiRawInput<M>).then((r) => {
      if (!live) return;
      setStored(
        r.ok
          ? { key, args: argsJson, data: r.value, error: null }
          : { key, args: argsJson, data: null, error: r.error },
      );
    });
    return () => {
      live = false;
    };
  }, [client, method, argsJson, key]);

  const refresh = useCallback(() => setNonce((n) => n + 1), []);

  if (key === null) return { data: null, error: null, loading: false, stale: false, refresh };
  return {
    data: stored.data,
    error: stored.key === key ? stored.error : null,
    loading: stored.key !== key,
    stale: stored.args !== argsJson,
    refresh,
  };
}
