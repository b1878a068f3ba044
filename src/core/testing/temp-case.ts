import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseSession } from '../services/case-service';

/** A fresh case in a private temporary folder, with helpers to write source files beside it. */
export interface TempCase {
  dir: string;
  session: CaseSession;
  deviceId: number;
  write(name: string, lines: string[] | string): string;
  cleanup(): void;
}

/** Creates a temporary case with one device labelled "Phone A". */
export function tempCase(): TempCase {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-test-'));
  const session = CaseSession.create(join(dir, 'case.snoopcase'));
  const device = session.createDevice({ label: 'Phone A', platform: 'ios' });
  return {
    dir,
    session,
    deviceId: device.id,
    write(name, lines) {
      const path = join(dir, name);
      writeFileSync(path, typeof lines === 'string' ? lines : lines.join('\n') + '\n');
      return path;
    },
    cleanup() {
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
