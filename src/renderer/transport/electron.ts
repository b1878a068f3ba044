import type { SnoopscopeBridge } from '../../contract/bridge';

/** The bridge the Electron preload exposes, or null when the page runs in a plain browser. */
export function electronBridge(): SnoopscopeBridge | null {
  if (typeof window === 'undefined') return null;
  const bridge = window.snoopscope;
  if (!bridge || typeof bridge.invoke !== 'function' || typeof bridge.on !== 'function') {
    return null;
  }
  return bridge;
}
