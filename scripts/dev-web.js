// `npm run dev:web`: the same interface in a browser, for development and tests only. Starts the
// loopback dev server (the bridge) and Vite's dev server for the renderer, which forwards /api
// to it. Nothing listens beyond 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import react from '@vitejs/plugin-react';
import { createServer } from 'vite';
import { devServerCsp } from './vite-dev-csp.js';

await import('./build-node.js');

const token = randomBytes(18).toString('base64url');
const api = spawn(process.execPath, ['out/node/devserver.js', '--port', '0', '--token', token], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const apiUrl = await new Promise((resolve, reject) => {
  api.once('exit', (code) => reject(new Error(`the dev server exited (code ${code})`)));
  createInterface({ input: api.stdout }).once('line', (line) => {
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    if (m) resolve(m[1]);
    else reject(new Error(`unexpected dev server output: ${line}`));
  });
});

const vite = await createServer({
  root: 'src/renderer',
  plugins: [react(), devServerCsp()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: apiUrl, changeOrigin: true } },
  },
});
await vite.listen();
const port = vite.config.server.port ?? 5173;
process.stdout.write(
  `\nSnoopscope (browser, development only): http://127.0.0.1:${port}/?token=${token}\n\n`,
);

const stop = () => {
  api.kill();
  void vite.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
