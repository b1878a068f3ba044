import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { devServerCsp } from './scripts/vite-dev-csp.js';

const root = import.meta.dirname;
const from = (...parts: string[]) => resolve(root, ...parts);

export default defineConfig({
  // Main process: ESM (package.json "type": "module"), two entries side by side in out/main so
  // `new URL('./import-worker.js', import.meta.url)` finds the worker. Dependencies from
  // package.json (better-sqlite3, zod) stay external and load from node_modules at run time;
  // better-sqlite3 must, as it is a native module.
  main: {
    build: {
      outDir: from('out/main'),
      externalizeDeps: { include: ['better-sqlite3'] },
      rolldownOptions: {
        input: {
          index: from('src/main/index.ts'),
          'import-worker': from('src/core/services/import-worker.ts'),
        },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  },

  // Preload: a sandboxed preload runs as a classic script with a restricted `require` that
  // knows only 'electron' and a few built-ins, so it must be one self-contained CommonJS file.
  // Nothing is externalised except electron itself, and there is no code splitting.
  preload: {
    build: {
      outDir: from('out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: from('src/preload/index.ts') },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          codeSplitting: false,
        },
      },
    },
  },

  renderer: {
    root: from('src/renderer'),
    plugins: [react(), devServerCsp()],
    server: { host: '127.0.0.1' },
    build: {
      outDir: from('out/renderer'),
      rolldownOptions: {
        input: { index: from('src/renderer/index.html') },
      },
    },
  },
});
