import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { accessLine, accessPair, networkLine } from '../core/testing/apr-fixture';
import { main, type CliIo } from './main';

/** A temporary folder removed by `cleanup`. */
export function tempDir(): {
  dir: string;
  file: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-'));
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : Buffer.from(content));
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A writable stream that keeps what it is given. */
export class Capture extends Writable {
  text = '';
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Runs the CLI in-process and returns its exit code and what it wrote. */
export async function runCli(
  argv: string[],
  io: Omit<CliIo, 'stdout' | 'stderr'> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stderrIsTTY: false, ...io, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Parses RFC 4180 CSV (quoted fields, CRLF or LF rows) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * Three small exports. A (device "phone"): a zero-length contacts interval at +01:00, two photos
 * intervals (02:10, 30.5 s; 23:30, 10 s), a camera interval (14:00, 120 s), an open microphone
 * interval of another app, two network rows. B (the next export of the same phone): repeats the
 * last photos interval and the microphone begin, adds the microphone end (300 s) and a newer
 * snapshot of one network row. C (device "tablet", -04:00): one location interval of 60 s.
 */
export const REPORTS = {
  a:
    [
      ...accessPair({
        app: 'com.example.app',
        category: 'contacts',
        id: 'U0',
        timeStamp: '2024-04-30T08:00:00.000+01:00',
        endTimeStamp: '2024-04-30T08:00:00.000+01:00',
      }),
      ...accessPair({
        app: 'com.example.app',
        category: 'photos',
        id: 'U1',
        timeStamp: '2024-05-01T02:10:00.000+02:00',
        endTimeStamp: '2024-05-01T02:10:30.500+02:00',
      }),
      ...accessPair({
        app: 'com.example.app',
        category: 'camera',
        id: 'U2',
        timeStamp: '2024-05-01T14:00:00.000+02:00',
        endTimeStamp: '2024-05-01T14:02:00.000+02:00',
      }),
      ...accessPair({
        app: 'com.example.app',
        category: 'photos',
        id: 'U3',
        timeStamp: '2024-05-01T23:30:00.000+02:00',
        endTimeStamp: '2024-05-01T23:30:10.000+02:00',
      }),
      accessLine({
        app: 'com.other.app',
        category: 'microphone',
        id: 'U4',
        kind: 'intervalBegin',
        timeStamp: '2024-05-02T10:00:00.000+02:00',
      }),
      networkLine({
        classified: false,
        app: 'com.example.app',
        domain: 'api.example.com',
        first: '2024-05-01T09:00:00.000+02:00',
        last: '2024-05-01T12:00:00.000+02:00',
        hits: 3,
      }),
      networkLine({
        classified: false,
        app: 'com.other.app',
        domain: 'tracker.example.net',
        first: '2024-05-02T09:00:00.000+02:00',
        last: '2024-05-02T09:30:00.000+02:00',
        hits: 7,
        domainType: 1,
        domainOwner: 'Tracker Inc',
      }),
    ].join('\n') + '\n',
  b:
    [
      ...accessPair({
        app: 'com.example.app',
        category: 'photos',
        id: 'U3',
        timeStamp: '2024-05-01T23:30:00.000+02:00',
        endTimeStamp: '2024-05-01T23:30:10.000+02:00',
      }),
      ...accessPair({
        app: 'com.other.app',
        category: 'microphone',
        id: 'U4',
        timeStamp: '2024-05-02T10:00:00.000+02:00',
        endTimeStamp: '2024-05-02T10:05:00.000+02:00',
      }),
      networkLine({
        classified: false,
        app: 'com.example.app',
        domain: 'api.example.com',
        first: '2024-05-01T09:00:00.000+02:00',
        last: '2024-05-03T08:00:00.000+02:00',
        hits: 5,
      }),
    ].join('\n') + '\n',
  c:
    accessPair({
      app: 'com.example.app',
      category: 'location',
      id: 'U9',
      timeStamp: '2024-05-01T03:00:00.000-04:00',
      endTimeStamp: '2024-05-01T03:01:00.000-04:00',
    }).join('\n') + '\n',
};
