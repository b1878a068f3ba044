import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';

/** A React root in plain Node for components that render no elements (hooks and providers). */
export interface NullRoot {
  render(node: ReactNode): Promise<void>;
  /** Runs `change` and lets React render what it caused. */
  update(change: () => void): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * Mounts React DOM on the few objects it touches when nothing is put into the page: a container
 * that ignores event listeners, and a window and document without focus. The unit tests run in
 * Node without a DOM, and a component that renders `null` needs no more than this.
 */
export function createNullRoot(): NullRoot {
  const g = globalThis as Record<string, unknown>;
  // Tells React that updates are wrapped in act(), so they are rendered before act() returns.
  g.IS_REACT_ACT_ENVIRONMENT = true;
  const document = { activeElement: null };
  // React DOM looks for focus inside iframes with `instanceof window.HTMLIFrameElement`.
  class HTMLIFrameElement {}
  g.document ??= document;
  g.window ??= {
    document,
    event: undefined,
    HTMLIFrameElement,
    addEventListener() {},
    removeEventListener() {},
  };
  const container = {
    nodeType: 1,
    nodeName: 'DIV',
    tagName: 'DIV',
    childNodes: [],
    firstChild: null,
    addEventListener() {},
    removeEventListener() {},
    ownerDocument: {
      nodeType: 9,
      activeElement: null,
      defaultView: null,
      addEventListener() {},
      removeEventListener() {},
    },
  };
  const root: Root = createRoot(container as unknown as Element);
  return {
    render: (node) => act(async () => root.render(node)),
    update: (change) =>
      act(async () => {
        change();
      }),
    unmount: () => act(async () => root.unmount()),
  };
}
