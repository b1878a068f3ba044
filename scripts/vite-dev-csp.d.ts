import type { Plugin } from 'vite';

/** The page's CSP meta content with 'unsafe-inline' added to script-src and style-src. */
export function relaxForDevServer(html: string): string;
/** A Vite plugin relaxing index.html's CSP for the dev server only. */
export function devServerCsp(): Plugin;
