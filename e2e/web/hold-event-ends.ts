import type { Page } from '@playwright/test';

// Holds, in the page, the events that tell a view some background work has ended (the stored
// findings are ready, a case upgrade is done), so a test can look at the view while the work runs.

/** What the page script holds; passed to it by `page.addInitScript(holdEventEnds, options)`. */
export interface HoldOptions {
  /** Source of the regular expression matching the event messages that end the work. */
  ends: string;
  /** Whether those messages are held from the page's start, or only after `hold(page, true)`. */
  atOnce: boolean;
}

/** The events that tell a view the stored findings are ready: their status and the case changes. */
export const FINDINGS_END: HoldOptions = { ends: '"onCaseChanged"|"state":"ready"', atOnce: false };

interface HoldGlobals {
  __holdEventEnds: boolean;
  __releaseEventEnds: () => void;
  EventSource: { prototype: object };
}

type OnMessage = (this: unknown, m: { data: string }) => void;

/**
 * Runs in the page: while `__holdEventEnds` is set, the event messages matching `options.ends`
 * wait for `__releaseEventEnds()`. It is serialised into the page, so it uses nothing from this
 * module but types. Typed without the DOM library, which the specs are not compiled with.
 */
export function holdEventEnds(options: HoldOptions): void {
  const g = globalThis as unknown as HoldGlobals;
  const ends = new RegExp(options.ends);
  const waiting: Array<() => void> = [];
  g.__holdEventEnds = options.atOnce;
  g.__releaseEventEnds = () => {
    g.__holdEventEnds = false;
    for (const deliver of waiting.splice(0)) deliver();
  };
  const proto = g.EventSource.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  const setter = own?.set;
  if (!own || !setter) return;
  Object.defineProperty(proto, 'onmessage', {
    ...own,
    set(this: unknown, handler: OnMessage | null) {
      if (!handler) return setter.call(this, handler);
      setter.call(this, (m: { data: string }) => {
        if (g.__holdEventEnds && ends.test(m.data)) waiting.push(() => handler.call(this, m));
        else handler.call(this, m);
      });
    },
  });
}

/** Holds (`on`) the events that end the work, or lets the held ones through. */
export async function hold(page: Page, on: boolean): Promise<void> {
  await page.evaluate((value) => {
    const g = globalThis as unknown as HoldGlobals;
    if (value) g.__holdEventEnds = true;
    else g.__releaseEventEnds();
  }, on);
}
