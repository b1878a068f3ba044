import type {
  CustomScheme,
  Event as ElectronEvent,
  Session,
  WebContents,
  WebPreferences,
} from 'electron';

/**
 * Security settings of the shell, kept free of runtime `electron` imports so they can be
 * tested under plain Node. `index.ts` applies them to the real window and session.
 */

/** The privileged scheme the packaged renderer is served from (`app://snoopscope/index.html`). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'snoopscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

// A standard, secure scheme gives the renderer a real origin, so CSP 'self' means "the app
// bundle" and not "any file on disk" as it would under file://. fetch and CORS support are
// what module scripts (Vite emits `<script type="module" crossorigin>`) need to load.
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

/** The webPreferences of every window the app opens. */
export function createWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

/** Where the renderer comes from and how to recognise its URLs. */
export interface RendererOrigin {
  /** The URL the window loads. */
  entryUrl: string;
  /** The dev server origin (`http://localhost:5173`), or null when serving the built bundle. */
  devOrigin: string | null;
  /** True when `url` belongs to the app's own renderer. */
  isAppUrl(url: string): boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Resolves the renderer origin. A dev server URL is honoured only when `allowDevServer` is
 * true (the app is not packaged) and it is plain http on a loopback host; anything else falls
 * back to the bundled renderer, so an environment variable can never point a packaged app,
 * and its bridge, at remote content.
 */
export function resolveRendererOrigin(
  devServerUrl: string | undefined,
  allowDevServer: boolean,
): RendererOrigin {
  const dev = allowDevServer && devServerUrl ? parseLoopbackHttpUrl(devServerUrl) : null;
  if (dev) {
    const origin = dev.origin;
    return {
      entryUrl: `${origin}/`,
      devOrigin: origin,
      isAppUrl: (url) => parseUrl(url)?.origin === origin,
    };
  }
  return {
    entryUrl: `${APP_ORIGIN}/index.html`,
    devOrigin: null,
    isAppUrl: (url) => {
      const parsed = parseUrl(url);
      return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
    },
  };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function parseLoopbackHttpUrl(url: string): URL | null {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return parsed;
}

/**
 * The Content-Security-Policy of the renderer. Production allows only the app's own origin, with
 * no inline scripts or styles: the built renderer links its one stylesheet, and React sets `style`
 * props through the CSSOM, which CSP does not restrict. With a dev server, its origin and its HMR
 * WebSocket are allowed as well, inline scripts (the React Refresh preamble Vite injects into
 * index.html is an inline module script) and inline styles (Vite serves CSS as `<style>` elements).
 */
export function buildContentSecurityPolicy(devOrigin: string | null): string {
  const dev = devOrigin ? parseUrl(devOrigin) : null;
  const devHosts = dev ? [dev.origin] : [];
  const hmr = dev ? [`ws://${dev.host}`] : [];
  const directives: [string, string[]][] = [
    ['default-src', ["'self'", ...devHosts]],
    ['script-src', ["'self'", ...(dev ? ["'unsafe-inline'"] : []), ...devHosts]],
    ['style-src', ["'self'", ...(dev ? ["'unsafe-inline'"] : []), ...devHosts]],
    ['img-src', ["'self'", 'data:', ...devHosts]],
    ['font-src', ["'self'", ...devHosts]],
    ['connect-src', ["'self'", ...devHosts, ...hmr]],
    ['worker-src', ["'self'", ...devHosts]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** Response headers with our CSP replacing any Content-Security-Policy already present. */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
  csp: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'x-content-type-options') continue;
    result[name] = value;
  }
  result['Content-Security-Policy'] = [csp];
  result['X-Content-Type-Options'] = ['nosniff'];
  return result;
}

type NavigationEvent = Pick<ElectronEvent<{ url: string }>, 'preventDefault' | 'url'>;

/** The subset of WebContents that `hardenWebContents` touches. */
export type HardenableWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Denies everything a page could use to leave the app: navigation and redirects to any URL
 * that is not the app's own, new windows, and `<webview>` attachment. `onBlocked` hears about
 * each refusal (for the log).
 */
export function hardenWebContents(
  contents: HardenableWebContents,
  isAppUrl: (url: string) => boolean,
  onBlocked: (what: string, url: string) => void = () => {},
): void {
  const guard = (what: string) => (event: NavigationEvent) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      onBlocked(what, event.url);
    }
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked('new window', url);
    return { action: 'deny' };
  });
}

/** The subset of Session that `hardenSession` touches. */
export type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'on'
> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/**
 * Denies every permission request and check (camera, microphone, notifications, ...),
 * refuses downloads, and sets the CSP header on every response the session receives.
 */
export function hardenSession(session: HardenableSession, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, csp) });
  });
}
