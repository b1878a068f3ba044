import type { Page } from '@playwright/test';

// Holds, in the page, the events that tell a view the stored findings are ready, so a test can
// look at the view while they are being computed.

interface HoldGlobals {
  __holdFindingsEnd: boolean;
  __releaseFindingsEnd: () => void;
  EventSource: { prototype: object };
}

type OnMessage = (this: unknown, m: { data: string }) => void;

/**
 * Runs in the page: while `__holdFindingsEnd` is set, the events that tell the view the findings
 * are ready (their `ready` status and the case changes) wait for `__releaseFindingsEnd()`. Typed
 * without the DOM library, which the specs are not compiled with.
 */
export function holdFindingsEnd(): void {
  const g = globalThis as unknown as HoldGlobals;
  const waiting: Array<() => void> = [];
  g.__holdFindingsEnd = false;
  g.__releaseFindingsEnd = () => {
    g.__holdFindingsEnd = false;
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
        const ends = /"onCaseChanged"|"state":"ready"/.test(m.data);
        if (g.__holdFindingsEnd && ends) waiting.push(() => handler.call(this, m));
        else handler.call(this, m);
      });
    },
  });
}

/** Holds (`on`) the events that end the computation, or lets the held ones through. */
export async function hold(page: Page, on: boolean): Promise<void> {
  await page.evaluate((value) => {
    const g = globalThis as unknown as HoldGlobals;
    if (value) g.__holdFindingsEnd = true;
    else g.__releaseFindingsEnd();
  }, on);
}
