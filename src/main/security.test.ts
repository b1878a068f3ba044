import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { devServerCsp, relaxForDevServer } from '../../scripts/vite-dev-csp.js';
import {
  APP_SCHEME_REGISTRATION,
  buildContentSecurityPolicy,
  createWebPreferences,
  hardenSession,
  hardenWebContents,
  resolveRendererOrigin,
  withContentSecurityPolicy,
  type HardenableSession,
  type HardenableWebContents,
} from './security';

type Listener = (...args: unknown[]) => void;
const root = path.resolve(import.meta.dirname, '../..');

/** A WebContents stand-in that records listeners and the window-open handler. */
function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: (event: string, listener: Listener) => {
      emitter.on(event, listener);
      return contents;
    },
    setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
      openHandler = handler;
    },
  };
  const navigate = (event: string, url: string) => {
    const e = { url, preventDefault: vi.fn() };
    emitter.emit(event, e);
    return e.preventDefault;
  };
  return {
    contents: contents as unknown as HardenableWebContents,
    navigate,
    emit: (event: string, ...args: unknown[]) => emitter.emit(event, ...args),
    open: (url: string) => openHandler?.({ url }),
  };
}

/** A Session stand-in that records the handlers it is given. */
function fakeSession() {
  const emitter = new EventEmitter();
  const handlers: {
    request?: (
      wc: unknown,
      permission: string,
      cb: (granted: boolean) => void,
      details: unknown,
    ) => void;
    check?: (wc: unknown, permission: string, origin: string, details: unknown) => boolean;
    headers?: (
      details: { responseHeaders?: Record<string, string[]> },
      cb: (response: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
  } = {};
  const session = {
    setPermissionRequestHandler: (h: typeof handlers.request) => {
      handlers.request = h;
    },
    setPermissionCheckHandler: (h: typeof handlers.check) => {
      handlers.check = h;
    },
    on: (event: string, listener: Listener) => {
      emitter.on(event, listener);
      return session;
    },
    webRequest: {
      onHeadersReceived: (h: typeof handlers.headers) => {
        handlers.headers = h;
      },
    },
  };
  return { session: session as unknown as HardenableSession, handlers, emitter };
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

const prod = resolveRendererOrigin(undefined, false);
const dev = resolveRendererOrigin('http://127.0.0.1:5173', true);

describe('webPreferences', () => {
  it('isolates, sandboxes and disables Node in the renderer', () => {
    const prefs = createWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
  });

  it('registers the app scheme as a standard, secure origin', () => {
    expect(APP_SCHEME_REGISTRATION.scheme).toBe('app');
    expect(APP_SCHEME_REGISTRATION.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_REGISTRATION.privileges).not.toHaveProperty('bypassCSP');
  });
});

describe('renderer origin', () => {
  it('serves the built renderer from app://snoopscope and accepts only that origin', () => {
    expect(prod.entryUrl).toBe('app://snoopscope/index.html');
    expect(prod.devOrigin).toBeNull();
    expect(prod.isAppUrl('app://snoopscope/index.html')).toBe(true);
    expect(prod.isAppUrl('app://snoopscope/index.html#/timeline')).toBe(true);
    for (const url of [
      'app://other/index.html',
      'file:///Applications/Snoopscope.app/Contents/Resources/app.asar/out/renderer/index.html',
      'https://example.com/',
      'http://127.0.0.1:5173/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(prod.isAppUrl(url), url).toBe(false);
    }
  });

  it('accepts a loopback dev server only when allowed', () => {
    expect(dev.entryUrl).toBe('http://127.0.0.1:5173/');
    expect(dev.devOrigin).toBe('http://127.0.0.1:5173');
    expect(dev.isAppUrl('http://127.0.0.1:5173/src/main.tsx')).toBe(true);
    expect(dev.isAppUrl('http://127.0.0.1:5174/')).toBe(false);
    expect(dev.isAppUrl('app://snoopscope/index.html')).toBe(false);

    expect(resolveRendererOrigin('http://localhost:5173', false).devOrigin).toBeNull();
    expect(resolveRendererOrigin('https://evil.example', true).devOrigin).toBeNull();
    expect(resolveRendererOrigin('http://192.168.1.5:5173', true).devOrigin).toBeNull();
    expect(resolveRendererOrigin('file:///tmp/x.html', true).devOrigin).toBeNull();
  });
});

describe('hardenWebContents', () => {
  it('prevents navigation and redirects to foreign URLs and allows the app itself', () => {
    const { contents, navigate } = fakeContents();
    const blocked = vi.fn();
    hardenWebContents(contents, prod.isAppUrl, blocked);

    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(navigate(event, 'https://evil.example/phish'), event).toHaveBeenCalledOnce();
      expect(navigate(event, 'file:///etc/passwd'), event).toHaveBeenCalledOnce();
      expect(navigate(event, 'app://snoopscope/index.html'), event).not.toHaveBeenCalled();
    }
    expect(blocked).toHaveBeenCalledWith('navigation', 'https://evil.example/phish');
    expect(blocked).toHaveBeenCalledWith('redirect', 'file:///etc/passwd');
  });

  it('denies every new window, including ones to the app origin', () => {
    const { contents, open } = fakeContents();
    hardenWebContents(contents, prod.isAppUrl);
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open('app://snoopscope/index.html')).toEqual({ action: 'deny' });
  });

  it('refuses to attach a webview', () => {
    const { contents, emit } = fakeContents();
    hardenWebContents(contents, prod.isAppUrl);
    const event = { preventDefault: vi.fn() };
    emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });
});

describe('hardenSession', () => {
  it('denies every permission request and check', () => {
    const { session, handlers } = fakeSession();
    hardenSession(session, buildContentSecurityPolicy(null));
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
    ]) {
      const callback = vi.fn();
      handlers.request?.({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(handlers.check?.({}, permission, 'app://snoopscope', {}), permission).toBe(false);
    }
  });

  it('cancels downloads', () => {
    const { session, emitter } = fakeSession();
    hardenSession(session, buildContentSecurityPolicy(null));
    const event = { preventDefault: vi.fn() };
    emitter.emit('will-download', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('sets the CSP header on every response, replacing a looser one', () => {
    const { session, handlers } = fakeSession();
    const csp = buildContentSecurityPolicy(null);
    hardenSession(session, csp);
    const callback = vi.fn();
    handlers.headers?.(
      {
        responseHeaders: {
          'content-security-policy': ['default-src *'],
          'Content-Type': ['text/html'],
        },
      },
      callback,
    );
    const headers = callback.mock.calls[0]?.[0]?.responseHeaders as Record<string, string[]>;
    expect(headers['Content-Security-Policy']).toEqual([csp]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff']);
  });
});

describe('Content-Security-Policy', () => {
  it('is strict in production', () => {
    const d = directives(buildContentSecurityPolicy(null));
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:']);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    const all = [...d.values()].flat();
    expect(all).not.toContain("'unsafe-eval'");
    expect(all.some((v) => /^(https?|wss?):/.test(v) || v === '*')).toBe(false);
  });

  it('allows no inline script or style in production, in the header or in index.html', () => {
    expect(buildContentSecurityPolicy(null)).not.toContain("'unsafe-inline'");
    const html = readFileSync(path.join(root, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    expect(meta).not.toContain("'unsafe-inline'");
    expect(directives(meta!).get('style-src')).toEqual(["'self'"]);
    expect(directives(meta!).get('script-src')).toEqual(["'self'"]);
  });

  it('relaxes index.html for the dev server only, as the development header does', () => {
    const html = readFileSync(path.join(root, 'src/renderer/index.html'), 'utf8');
    const relaxed = relaxForDevServer(html);
    const meta = /content="([^"]*)"/.exec(relaxed.slice(relaxed.indexOf('http-equiv')))![1]!;
    expect(directives(meta).get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives(meta).get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives(meta).get('default-src')).toEqual(["'self'"]);
    expect(relaxForDevServer(relaxed)).toBe(relaxed);
    expect(devServerCsp()).toMatchObject({ apply: 'serve' });
    const devPolicy = directives(buildContentSecurityPolicy(dev.devOrigin));
    expect(devPolicy.get('style-src')).toContain("'unsafe-inline'");
  });

  it('needs no inline style: the renderer never writes style attributes or elements as text', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|tsx|html)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
          const text = readFileSync(full, 'utf8');
          if (
            /attr\(\s*['"]style['"]|setAttribute\(\s*['"]style['"]|<style|cssText|\bstyle="/.test(
              text,
            )
          )
            offenders.push(path.relative(root, full));
        }
      }
    };
    walk(path.join(root, 'src/renderer'));
    expect(offenders).toEqual([]);
  });

  it('allows the dev server and its HMR socket, and nothing else, in development', () => {
    const d = directives(buildContentSecurityPolicy(dev.devOrigin));
    expect(d.get('script-src')).toEqual(["'self'", "'unsafe-inline'", 'http://127.0.0.1:5173']);
    expect(d.get('connect-src')).toEqual([
      "'self'",
      'http://127.0.0.1:5173',
      'ws://127.0.0.1:5173',
    ]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    const external = [...d.values()].flat().filter((v) => /^(https?|wss?):/.test(v));
    expect(new Set(external)).toEqual(new Set(['http://127.0.0.1:5173', 'ws://127.0.0.1:5173']));
    expect([...d.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('adds the header to a response without one', () => {
    const headers = withContentSecurityPolicy(undefined, "default-src 'self'");
    expect(headers).toEqual({
      'Content-Security-Policy': ["default-src 'self'"],
      'X-Content-Type-Options': ['nosniff'],
    });
  });
});
