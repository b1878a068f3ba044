import { useEffect, useState } from 'react';
import { useApp } from './use-app';

/**
 * The value after it has stopped changing for `ms`. A pending change counts as app activity,
 * so `data-app-state` stays "loading" until the debounced query has run.
 */
export function useDebounced<T>(value: T, ms: number, key: string): T {
  const { activity } = useApp();
  const [settled, setSettled] = useState<{ key: string; value: T }>({ key, value });

  useEffect(() => {
    if (settled.key === key) return;
    const end = activity.begin();
    const timer = window.setTimeout(() => {
      setSettled({ key, value });
      end();
    }, ms);
    return () => {
      window.clearTimeout(timer);
      end();
    };
  }, [activity, key, ms, settled.key, value]);

  return settled.value;
}
