import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiHandlers, HostHandlers } from '../contract/api';
import type { EventEnvelope } from '../contract/bridge';
import type { CoreApp } from '../core/app';
import { dispatch } from '../core/bridge/dispatch';

/** Answers queued by tests for the host (dialog) calls. */
interface PickQueues {
  pickCaseFile: (string | null)[];
  pickImportFiles: string[][];
  pickFolder: (string | null)[];
  pickSavePath: (string | null)[];
}

export interface DevServerOptions {
  core: CoreApp;
  token: string;
  port?: number;
  /** Folder of the built renderer to serve; omitted when another server serves the page. */
  staticDir?: string;
  /** Enables POST /api/test/picks, which queues answers for the dialog calls. */
  testHooks?: boolean;
}

export interface DevServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * The loopback development server (development and tests only): serves the same bridge as the
 * Electron main process through `dispatch`, an event stream, and the built renderer.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { core, token } = options;
  const picks: PickQueues = {
    pickCaseFile: [],
    pickImportFiles: [],
    pickFolder: [],
    pickSavePath: [],
  };
  const host: HostHandlers = {
    pickCaseFile: () => picks.pickCaseFile.shift() ?? null,
    pickImportFiles: () => picks.pickImportFiles.shift() ?? [],
    pickFolder: () => picks.pickFolder.shift() ?? null,
    pickSavePath: () => picks.pickSavePath.shift() ?? null,
  };
  const handlers: ApiHandlers = { ...core.handlers, ...host };
  const streams = new Set<ServerResponse>();
  const unsubscribe = core.onEvent((e: EventEnvelope) => {
    const line = `data: ${JSON.stringify(e)}\n\n`;
    for (const s of streams) s.write(line);
  });
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/api/invoke' && req.method === 'POST') {
        if (!sameToken(req.headers['x-snoopscope-token'] as string | undefined, token)) {
          send(res, 403, {
            ok: false,
            error: { code: 'INVALID_INPUT', message: 'Missing or wrong token.' },
          });
          return;
        }
        let body: { method?: unknown; args?: unknown };
        try {
          body = JSON.parse(await readBody(req)) as { method?: unknown; args?: unknown };
        } catch (e) {
          send(res, 400, {
            ok: false,
            error: { code: 'INVALID_INPUT', message: `Bad request: ${(e as Error).message}` },
          });
          return;
        }
        send(res, 200, await dispatch(handlers, body.method, body.args));
        return;
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        if (!sameToken(url.searchParams.get('token'), token)) {
          res.writeHead(403).end();
          return;
        }
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (url.pathname === '/api/test/picks' && req.method === 'POST' && options.testHooks) {
        if (!sameToken(req.headers['x-snoopscope-token'] as string | undefined, token)) {
          res.writeHead(403).end();
          return;
        }
        const body = JSON.parse(await readBody(req)) as Partial<PickQueues>;
        picks.pickCaseFile.push(...(body.pickCaseFile ?? []));
        picks.pickImportFiles.push(...(body.pickImportFiles ?? []));
        picks.pickFolder.push(...(body.pickFolder ?? []));
        picks.pickSavePath.push(...(body.pickSavePath ?? []));
        send(res, 200, { ok: true, value: null });
        return;
      }
      if (staticRoot && (req.method === 'GET' || req.method === 'HEAD')) {
        serveStatic(staticRoot, url.pathname, res);
        return;
      }
      res.writeHead(404).end();
    })().catch((e: unknown) => {
      console.error('[devserver]', e);
      if (!res.headersSent)
        send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
      else res.end();
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      unsubscribe();
      for (const s of streams) s.end();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    res.writeHead(400).end();
    return;
  }
  let file = join(root, rel);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(404).end('The renderer is not built; run `npm run build` first.');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(readFileSync(file));
}
