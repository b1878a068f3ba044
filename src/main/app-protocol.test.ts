import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { createAppProtocolHandler, resolveAppFile } from './app-protocol';

const root = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-renderer-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Snoopscope</title>');
writeFileSync(path.join(root, 'assets', 'index.js'), 'console.log(1)');
const CSP = "default-src 'self'";

const fetchFile = vi.fn(async (url: string) => {
  const file = fileURLToPath(url);
  return new Response(readFileSync(file), {
    headers: { 'Content-Type': file.endsWith('.html') ? 'text/html' : 'text/javascript' },
  });
});
const handler = createAppProtocolHandler({ rootDir: root, csp: CSP, fetchFile });

describe('app protocol', () => {
  it('serves files of the renderer folder with the CSP header', async () => {
    const page = await handler(new Request('app://snoopscope/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Snoopscope</title>');
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    const script = await handler(new Request('app://snoopscope/assets/index.js'));
    expect(await script.text()).toBe('console.log(1)');
    const rootPage = await handler(new Request('app://snoopscope/'));
    expect(rootPage.status).toBe(200);
  });

  it('never resolves outside the renderer folder or for another host', () => {
    expect(resolveAppFile(root, 'app://snoopscope/index.html')).toBe(path.join(root, 'index.html'));
    for (const url of [
      'app://snoopscope/%2e%2e/%2e%2e/etc/passwd',
      'app://snoopscope/..%2f..%2fetc%2fpasswd',
      'app://snoopscope/assets/..%2f..%2f..%2fsecret',
      'app://snoopscope/%2Fetc%2Fpasswd/..',
      'app://snoopscope/bad%ZZ',
      'app://snoopscope/a%00b',
      'app://elsewhere/index.html',
      'file:///etc/passwd',
    ]) {
      const resolved = resolveAppFile(root, url);
      if (resolved !== null)
        expect(path.relative(root, resolved).startsWith('..'), url).toBe(false);
      if (resolved !== null) expect(resolved.startsWith(root + path.sep), url).toBe(true);
    }
    // The URL parser already folds %2e%2e segments; an encoded slash survives it and is caught here.
    expect(resolveAppFile(root, 'app://snoopscope/%2e%2e/%2e%2e/etc/passwd')).toBe(
      path.join(root, 'etc', 'passwd'),
    );
    expect(resolveAppFile(root, 'app://snoopscope/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(root, 'app://snoopscope/a%00b')).toBeNull();
    expect(resolveAppFile(root, 'app://elsewhere/index.html')).toBeNull();
  });

  it('answers 404 for escapes and missing files and 405 for writes', async () => {
    fetchFile.mockClear();
    const escape = await handler(new Request('app://snoopscope/..%2f..%2f..%2fetc%2fpasswd'));
    expect(escape.status).toBe(404);
    expect(escape.headers.get('content-security-policy')).toBe(CSP);
    expect(fetchFile).not.toHaveBeenCalled();
    const missing = await handler(new Request('app://snoopscope/nope.js'));
    expect(missing.status).toBe(404);
    const post = await handler(
      new Request('app://snoopscope/index.html', { method: 'POST', body: 'x' }),
    );
    expect(post.status).toBe(405);
  });
});
