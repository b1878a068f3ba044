import type { SnoopscopeBridge } from '../contract/bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent when the page is served by the dev server. */
    snoopscope?: SnoopscopeBridge;
  }
}

export {};
