import { useEffect, useState } from 'react';

/** The current time, ticking every `everyMs` while `live` (e.g. for a countdown); frozen otherwise. */
export function useNow(live: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [live, everyMs]);
  return now;
}
