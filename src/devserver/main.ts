import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCoreApp } from '../core/create-core-app';
import { startDevServer } from './server';

/** Starts the loopback dev server (development and tests only). */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.SNOOPSCOPE_DEV_PORT ?? '0' },
      token: { type: 'string', default: process.env.SNOOPSCOPE_DEV_TOKEN },
      static: { type: 'string' },
      'user-data': { type: 'string' },
      'test-hooks': { type: 'boolean', default: false },
    },
  });
  const token = values.token ?? randomBytes(18).toString('base64url');
  const userDataDir = values['user-data'] ?? mkdtempSync(join(tmpdir(), 'snoopscope-dev-'));
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const core = createCoreApp({
    userDataDir,
    host: 'devserver',
    version: pkg.version,
    workerUrl: new URL('./import-worker.js', import.meta.url),
  });
  const server = await startDevServer({
    core,
    token,
    port: Number(values.port),
    staticDir: values.static,
    testHooks: values['test-hooks'],
  });
  process.stdout.write(`Snoopscope dev server: ${server.url}/?token=${token}\n`);
  const stop = (): void => {
    void server
      .close()
      .then(() => core.dispose())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  void main(process.argv.slice(2));
}
