import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_RULES } from '../contract/findings';
import { ruleInfos } from '../core/findings';
import { ACQUIRE_OPTIONS } from './acquire-command';
import { ANNOTATE_OPTIONS } from './annotate-command';
import { FILTER_OPTIONS } from './args';
import { BACKUPS_OPTIONS } from './backups-command';
import { EXPORT_OPTIONS, VERIFY_OPTIONS } from './bundle-command';
import { CAPTURE_OPTIONS } from './capture-command';
import { findingsDocBlocks, readmeBlocks, updateGeneratedBlocks } from './cli-docs';
import { COMPARE_OPTIONS, PAIR_OPTIONS } from './compare-command';
import { NAME_APP_OPTIONS } from './name-app-command';
import { DEVICES_OPTIONS } from './devices-command';
import { EVENTS_OPTIONS } from './events-command';
import { FINDINGS_OPTIONS } from './findings-command';
import { IMPORT_OPTIONS } from './import-command';
import { SUMMARY_OPTIONS } from './summary-command';
import { runCli } from './test-support';
import {
  cliUsage,
  COMMAND_DOCS,
  COMMAND_NAMES,
  commandHelp,
  FILTER_DOCS,
  type CommandName,
} from './usage';
import { cliVersion } from './version';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The options each command's parser accepts, as the command files declare them. */
const PARSERS: Record<CommandName, Record<string, unknown>> = {
  import: IMPORT_OPTIONS,
  summary: SUMMARY_OPTIONS,
  events: EVENTS_OPTIONS,
  devices: DEVICES_OPTIONS,
  backups: BACKUPS_OPTIONS,
  acquire: ACQUIRE_OPTIONS,
  capture: CAPTURE_OPTIONS,
  compare: COMPARE_OPTIONS,
  pair: PAIR_OPTIONS,
  'name-app': NAME_APP_OPTIONS,
  annotate: ANNOTATE_OPTIONS,
  findings: FINDINGS_OPTIONS,
  export: EXPORT_OPTIONS,
  verify: VERIFY_OPTIONS,
};

describe('command declarations', () => {
  it('declare every command once, in order', () => {
    expect(COMMAND_DOCS.map((d) => d.name)).toEqual([...COMMAND_NAMES]);
  });

  it('document exactly the options each command parses', () => {
    const filterNames = FILTER_DOCS.flatMap((o) => o.names).sort();
    expect(filterNames).toEqual(Object.keys(FILTER_OPTIONS).sort());
    for (const doc of COMMAND_DOCS) {
      const declared = [
        ...doc.options.flatMap((o) => o.names),
        ...(doc.filters ? filterNames : []),
      ].sort();
      expect(declared, doc.name).toEqual(Object.keys(PARSERS[doc.name]).sort());
      expect(new Set(declared).size, `${doc.name}: an option documented twice`).toBe(
        declared.length,
      );
      for (const o of doc.options)
        for (const name of o.names) expect(o.flag, doc.name).toContain(`--${name}`);
      // Every option the parser takes appears in the synopsis too.
      for (const name of doc.options.flatMap((o) => o.names))
        expect(doc.usage.join(' '), `${doc.name} --${name}`).toContain(`--${name}`);
      if (doc.filters) expect(doc.usage.join(' '), doc.name).toContain('[filters]');
    }
  });

  it('print lines of at most 100 characters', () => {
    for (const text of [cliUsage, ...COMMAND_NAMES.map(commandHelp)])
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});

describe('help', () => {
  it('prints one command’s help for <command> --help, help <command> and -h', async () => {
    for (const name of COMMAND_NAMES) {
      for (const argv of [
        [name, '--help'],
        ['help', name],
        [name, 'x.snoopcase', '-h'],
      ]) {
        const r = await runCli(argv);
        expect(r, argv.join(' ')).toEqual({ code: 0, stdout: commandHelp(name), stderr: '' });
      }
      const help = commandHelp(name);
      expect(help).toMatch(new RegExp(`^Usage: snoopscope ${name} `));
      // Only this command: no other command's synopsis.
      for (const other of COMMAND_NAMES.filter((n) => n !== name))
        expect(help, `${name} help names ${other}`).not.toMatch(
          new RegExp(`^(Usage: |\\s+)snoopscope ${other} `, 'm'),
        );
    }
    expect(commandHelp('devices')).toContain('--unmask');
    expect(commandHelp('events')).toContain('op-history');
    expect(commandHelp('summary')).toContain('[--json]');
  });

  it('prints the command list, much shorter than every command’s help together', async () => {
    const r = await runCli(['--help']);
    expect(r).toEqual({ code: 0, stdout: cliUsage, stderr: '' });
    for (const name of COMMAND_NAMES) expect(cliUsage).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(cliUsage.split('\n').length).toBeLessThan(70);
  });

  it('refuses help for an unknown command', async () => {
    const r = await runCli(['help', 'exfiltrate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "exfiltrate"');
  });
});

describe('--version', () => {
  it('prints the package version with --version and -V', async () => {
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(cliVersion()).toBe(pkg.version);
    for (const flag of ['--version', '-V']) {
      expect(await runCli([flag])).toEqual({
        code: 0,
        stdout: `snoopscope ${pkg.version}\n`,
        stderr: '',
      });
    }
  });
});

describe('generated documentation', () => {
  it('the README’s command-line reference matches the declarations (npm run docs:cli)', () => {
    const readme = read('README.md');
    expect(updateGeneratedBlocks(readme, readmeBlocks())).toBe(readme);
  });

  it('docs/findings.md matches the rules’ declarations and names every rule and parameter', () => {
    const doc = read('docs/findings.md');
    expect(updateGeneratedBlocks(doc, findingsDocBlocks(ruleInfos()))).toBe(doc);
    for (const info of ruleInfos()) {
      expect(doc).toContain(`### \`${info.id}\``);
      expect(doc).toContain(info.severity);
      expect(doc).toContain(info.caveat);
      for (const p of info.params) expect(doc).toContain(`\`${info.id}.${p.name}\``);
    }
    expect(ruleInfos().map((r) => r.id)).toEqual([...FINDING_RULES]);
  });

  it('refuses a document with a marker it has no content for, or without a marker', () => {
    const text = '<!-- generated:a -->\nold\n<!-- /generated:a -->\n';
    expect(updateGeneratedBlocks(text, { a: 'new' })).toBe(
      '<!-- generated:a -->\nnew\n<!-- /generated:a -->\n',
    );
    expect(() => updateGeneratedBlocks(text, {})).toThrow(/No generated content/);
    expect(() => updateGeneratedBlocks(text, { a: 'x', b: 'y' })).toThrow(/missing for: b/);
  });
});
