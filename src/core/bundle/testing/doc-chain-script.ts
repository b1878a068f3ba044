import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What the chain script of docs/evidence-bundle.md answered for one manifest. */
export interface DocScriptAnswer {
  /** 0 when the chain holds, 1 otherwise. */
  code: number;
  /** Why it stopped (empty when the chain holds). */
  message: string;
  /** The `note: …` lines it printed. */
  notes: string[];
}

const DOC = resolve(import.meta.dirname, '../../../../docs/evidence-bundle.md');

/** The Python script a reader of docs/evidence-bundle.md runs to recompute the audit chain. */
export function docChainScript(): string {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```python\n([\s\S]*?)```/g)];
  if (blocks.length !== 1) throw new Error(`${DOC} should hold one Python block.`);
  return blocks[0]![1]!;
}

// Runs the script once per manifest inside one Python process, as `python3 chain.py <manifest>`
// would, so hundreds of manifests cost one start-up.
const DRIVER = `
import contextlib, io, json, sys
script = compile(open(sys.argv[1], encoding='utf-8').read(), 'chain.py', 'exec')
answers = []
for path in sys.argv[2:]:
    out = io.StringIO()
    sys.argv = ['chain.py', path]
    try:
        with contextlib.redirect_stdout(out):
            exec(script, {'__name__': '__main__'})
        code, message = 0, ''
    except SystemExit as e:
        code, message = (0, '') if e.code in (None, 0) else (1, str(e.code))
    notes = [l for l in out.getvalue().splitlines() if l.startswith('note: ')]
    answers.append({'code': code, 'message': message, 'notes': notes})
print(json.dumps(answers))
`;

/**
 * Runs the documented script on each manifest (its exact bytes); null when python3 is absent,
 * after saying so.
 */
export function runDocChainScript(manifests: readonly Uint8Array[]): DocScriptAnswer[] | null {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-chain-script-'));
  try {
    const script = join(dir, 'chain.py');
    writeFileSync(script, docChainScript());
    const paths = manifests.map((bytes, i) => {
      const path = join(dir, `manifest-${i}.json`);
      writeFileSync(path, bytes);
      return path;
    });
    const r = spawnSync('python3', ['-c', DRIVER, script, ...paths], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.error) {
      console.warn('python3 not found: the documented chain script was not run');
      return null;
    }
    if (r.status !== 0) throw new Error(`The chain script driver failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as DocScriptAnswer[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
