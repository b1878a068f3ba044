import { useEffect, useState } from 'react';
import type { ApiMethod, ApiOutput, ApiRawInput } from '../../contract/api';
import type { AppErrorShape } from '../../contract/result';
import { useApp } from './use-app';

export interface QueryState<T> {
  /** The latest successful value; kept while a newer query is loading. */
  data: T | null;
  error: AppErrorShape | null;
  loading: boolean;
}

interface Stored<T> {
  key: string | null;
  data: T | null;
  error: AppErrorShape | null;
}

/**
 * Runs a bridge query whenever its arguments or the app's data version change; `null` args skip it.
 * Arguments are compared by their JSON form, which is also what crosses the bridge.
 */
export function useQuery<M extends ApiMethod>(
  method: M,
  args: ApiRawInput<M> | null,
): QueryState<ApiOutput<M>> {
  const { client, version } = useApp();
  const argsJson = args === null ? null : JSON.stringify(args);
  const key = argsJson === null ? null : `${method}|${version}|${argsJson}`;
  const [stored, setStored] = useState<Stored<ApiOutput<M>>>({
    key: null,
    data: null,
    error: null,
  });

  useEffect(() => {
    if (key === null || argsJson === null) return;
    let live = true;
    void client.call(method, JSON.parse(argsJson) as ApiRawInput<M>).then((r) => {
      if (!live) return;
      setStored(r.ok ? { key, data: r.value, error: null } : { key, data: null, error: r.error });
    });
    return () => {
      live = false;
    };
  }, [client, method, argsJson, key]);

  if (key === null) return { data: null, error: null, loading: false };
  return {
    data: stored.data,
    error: stored.key === key ? stored.error : null,
    loading: stored.key !== key,
  };
}
