import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_EXPORT, exampleLines } from '../../scripts/make-example';
import { main } from './main';
import { tempDir } from './test-support';

// Runs the worked example (examples/README.md) as written: every ```console block's command, with
// examples/work/ moved to a temporary folder, and checks that the output shown under it still
// comes out, line by line and in order, placeholders aside.
const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'examples/README.md'), 'utf8');
const FINGERPRINT = /(?:[0-9a-f]{4} ){15}[0-9a-f]{4}/;

interface Step {
  argv: string[];
  expected: string[];
}

/** The words of a command line; double quotes group words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2]!);
  return words;
}

function steps(): Step[] {
  return [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => {
    const [command, ...expected] = m[1]!.replace(/\n$/, '').split('\n');
    expect(command).toMatch(/^\$ npx snoopscope /);
    return { argv: shellWords(command!).slice(3), expected };
  });
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let tmp: ReturnType<typeof tempDir>;
let work: string;
let userData: string;
const savedUserData = process.env.SNOOPSCOPE_USER_DATA;

beforeAll(() => {
  tmp = tempDir();
  work = path.join(tmp.dir, 'work');
  userData = path.join(tmp.dir, 'user-data');
  mkdirSync(work);
  // A fresh installation: the first export creates its signing key here, not in the real one.
  process.env.SNOOPSCOPE_USER_DATA = userData;
});
afterAll(() => {
  if (savedUserData === undefined) delete process.env.SNOOPSCOPE_USER_DATA;
  else process.env.SNOOPSCOPE_USER_DATA = savedUserData;
  tmp.cleanup();
});

/** An expected line as a pattern: the placeholders stand for this run's folders and key. */
function linePattern(line: string): RegExp {
  let text = escape(line)
    .replaceAll(escape('<project>/examples/work'), escape(work))
    .replaceAll(escape('<project>'), escape(root))
    .replaceAll(escape('<user-data>'), escape(userData))
    .replaceAll(escape('<fingerprint>'), FINGERPRINT.source);
  text = text.replaceAll('/', `[/\\\\]`);
  return new RegExp(`^${text}$`);
}

describe('the worked example', () => {
  it('ships the export its generator writes', () => {
    const shipped = readFileSync(path.join(root, EXAMPLE_EXPORT), 'utf8');
    expect(shipped).toBe(exampleLines().join('\n') + '\n');
  });

  it('runs from import to a verified bundle and prints what examples/README.md shows', async () => {
    const all = steps();
    expect(all.map((s) => s.argv[0])).toEqual([
      'import',
      'summary',
      'findings',
      'export',
      'verify',
      'verify',
    ]);
    let fingerprint: string | null = null;
    for (const step of all) {
      const argv = step.argv.map((a) =>
        a
          .replace(/^examples\/work\//, `${work}/`)
          .replace('<fingerprint>', fingerprint ?? '<fingerprint>'),
      );
      let text = '';
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          text += chunk.toString();
          done();
        },
      });
      const code = await main(argv, { stdout: sink, stderr: sink, stderrIsTTY: false });
      expect(code, `${argv.join(' ')}\n${text}`).toBe(0);
      fingerprint ??= FINGERPRINT.exec(text)?.[0] ?? null;
      const actual = text.replace(/\n$/, '').split('\n');
      let at = 0;
      for (const line of step.expected) {
        const pattern = linePattern(line);
        while (at < actual.length && !pattern.test(actual[at]!)) at += 1;
        expect(at, `"${line}" is not printed by ${step.argv.join(' ')}:\n${text}`).toBeLessThan(
          actual.length,
        );
        at += 1;
      }
    }
    expect(fingerprint).not.toBeNull();

    // What the README says of another key's fingerprint.
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const other = '0000 '.repeat(15) + '0000';
    const code = await main(
      ['verify', path.join(work, 'example-bundle.zip'), '--fingerprint', other],
      { stdout: sink, stderr: sink },
    );
    expect(code).toBe(1);
    expect(text).toContain('NOT INTACT');
  });
});
