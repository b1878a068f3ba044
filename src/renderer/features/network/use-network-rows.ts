import { useCallback, useEffect, useState } from 'react';
import type { NetworkItem } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';

/** Rows asked for at a time: the first screen of a group, and each "Show more". */
export const NETWORK_PAGE = 50;

/** One group of the Network view under a filter. */
export interface NetworkGroupArgs {
  filter: Filter;
  snapshots: 'latest' | 'all';
  deviceId: number;
  app: string;
}

export interface NetworkRowsState {
  /** The rows read so far, in the group's order. */
  items: NetworkItem[];
  /** The group's rows under the filter; null until the first page is answered. */
  total: number | null;
  loading: boolean;
  error: AppErrorShape | null;
  /** Reads the next page. */
  more: () => void;
  /** Asks again for what failed: the first page, or the next one. */
  retry: () => void;
}

interface Stored {
  key: string | null;
  items: NetworkItem[];
  total: number | null;
  error: AppErrorShape | null;
  pending: boolean;
}

const EMPTY: Stored = { key: null, items: [], total: null, error: null, pending: false };

/**
 * The pages of one Network group read so far: the first when `args` are given (again when they or
 * the app's data change), the next one at each `more`. `null` args read nothing (a closed group).
 */
export function useNetworkRows(args: NetworkGroupArgs | null): NetworkRowsState {
  const { client, version } = useApp();
  const argsJson = args === null ? null : JSON.stringify(args);
  const key = argsJson === null ? null : `${version}|${argsJson}`;
  const [stored, setStored] = useState<Stored>(EMPTY);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (key === null || argsJson === null) return;
    let live = true;
    const group = JSON.parse(argsJson) as NetworkGroupArgs;
    void client.call('queryNetworkRows', { ...group, offset: 0, limit: NETWORK_PAGE }).then((r) => {
      if (!live) return;
      setStored(
        r.ok
          ? { key, items: r.value.items, total: r.value.total, error: null, pending: false }
          : { ...EMPTY, key, error: r.error },
      );
    });
    return () => {
      live = false;
    };
  }, [client, key, argsJson, attempt]);

  const current = stored.key === key ? stored : null;
  const more = useCallback(() => {
    if (key === null || argsJson === null || !current || current.pending) return;
    const offset = current.items.length;
    if (current.total !== null && offset >= current.total) return;
    setStored((s) => (s.key === key ? { ...s, pending: true, error: null } : s));
    const group = JSON.parse(argsJson) as NetworkGroupArgs;
    void client.call('queryNetworkRows', { ...group, offset, limit: NETWORK_PAGE }).then((r) => {
      setStored((s) => {
        // A newer filter or group replaced these rows, or the page no longer follows them.
        if (s.key !== key) return s;
        if (!r.ok) return { ...s, pending: false, error: r.error };
        if (s.items.length !== offset) return { ...s, pending: false };
        return {
          key,
          items: [...s.items, ...r.value.items],
          total: r.value.total,
          error: null,
          pending: false,
        };
      });
    });
  }, [client, key, argsJson, current]);

  const retry = useCallback(() => {
    if (current && current.items.length > 0) more();
    else {
      setStored(EMPTY);
      setAttempt((n) => n + 1);
    }
  }, [current, more]);

  if (key === null) return { items: [], total: null, loading: false, error: null, more, retry };
  return {
    items: current?.items ?? [],
    total: current?.total ?? null,
    loading: !current || current.pending,
    error: current?.error ?? null,
    more,
    retry,
  };
}
