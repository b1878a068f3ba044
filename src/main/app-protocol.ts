import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME } from './security';

export interface AppProtocolOptions {
  /** The folder of the built renderer (out/renderer). Nothing outside it is ever served. */
  rootDir: string;
  csp: string;
  /** Reads a file URL; in Electron this is `net.fetch`, which also reads inside app.asar. */
  fetchFile(fileUrl: string): Promise<Response>;
}

function plain(status: number, text: string, csp: string): Response {
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/**
 * Resolves the file an `app://snoopscope/...` URL names inside `rootDir`, or null when the URL
 * is for another host, is malformed, or would escape the folder.
 */
export function resolveAppFile(rootDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative =
    pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = path.resolve(rootDir);
  const file = path.resolve(root, relative);
  const inside = path.relative(root, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return file;
}

/**
 * The handler of the `app:` scheme: serves the built renderer read-only, with the CSP and
 * nosniff headers on every response.
 */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method not allowed', options.csp);
    }
    const file = resolveAppFile(options.rootDir, request.url);
    if (!file) return plain(404, 'Not found', options.csp);
    let response: Response;
    try {
      response = await options.fetchFile(pathToFileURL(file).href);
    } catch {
      return plain(404, 'Not found', options.csp);
    }
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', options.csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
