import { describe, expect, it } from 'vitest';
import { runCli } from './test-support';
import { commandHelp } from './usage';

/** The help as one line: wrapping aside, the words a reader gets. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('export and verify help', () => {
  it('export says that --redact cannot be combined with --include-sources, and what it replaces', async () => {
    const help = flat(commandHelp('export'));
    expect(help).toContain('--redact cannot be combined with --include-sources (exit 2)');
    expect(help).toContain(
      'replace network contexts with [redacted]; replace each named app’s identifier and display names, in any case, with redacted-app-N in every file written; not with --include-sources',
    );
    expect(help).toContain('the audit log with its check and how to recompute its hash chain');
    const cli = await runCli(['export', '--help']);
    expect(flat(cli.stdout)).toContain('--redact cannot be combined with --include-sources');
  });

  it('verify says that it reads strictly, recomputes the audit chain, and points to --fingerprint and docs/signing-key.md', async () => {
    const help = flat(commandHelp('verify'));
    expect(help).toContain('Checks a bundle, reading it strictly');
    expect(help).toContain('any signer key that is not Ed25519');
    expect(help).toContain('check the file exactly as the examiner sent it');
    expect(help).toContain('recomputes the audit chain published in the manifest');
    expect(help).toContain('pass it with --fingerprint');
    expect(help).toContain('docs/signing-key.md');
    const cli = await runCli(['verify', '--help']);
    expect(flat(cli.stdout)).toContain('reading it strictly');
  });
});
