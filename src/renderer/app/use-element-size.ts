import { useCallback, useEffect, useState } from 'react';

export interface Size {
  width: number;
  height: number;
}

/** Tracks an element's content size; attach the returned callback ref to the element. */
export function useElementSize<E extends HTMLElement>(): [(el: E | null) => void, Size, E | null] {
  const [element, setElement] = useState<E | null>(null);
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const ref = useCallback((el: E | null) => setElement(el), []);

  useEffect(() => {
    if (!element) return;
    const observer = new ResizeObserver((entries) => {
      const rect = entries[0]?.contentRect;
      if (!rect) return;
      setSize((prev) =>
        prev.width === Math.floor(rect.width) && prev.height === Math.floor(rect.height)
          ? prev
          : { width: Math.floor(rect.width), height: Math.floor(rect.height) },
      );
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);

  return [ref, size, element];
}
