import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MAX_LOG_BYTES, createFileLogger, formatLogEntry } from './log';

describe('file logger', () => {
  it('appends timestamped entries with the error stack, creating the folder', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-log-'));
    const file = path.join(dir, 'logs', 'main.log');
    const log = createFileLogger(file, () => new Date('2024-05-01T10:00:00Z'));
    log('Unexpected error in getCase', new Error('disk on fire'));
    log('Refused a bridge call');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /^2024-05-01T10:00:00.000Z Unexpected error in getCase\nError: disk on fire\n\s+at /,
    );
    expect(text).toContain('2024-05-01T10:00:00.000Z Refused a bridge call\n');
  });

  it('rotates a log that grew past the limit', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-log-'));
    const file = path.join(dir, 'main.log');
    writeFileSync(file, 'x'.repeat(MAX_LOG_BYTES + 1));
    createFileLogger(file)('fresh');
    expect(statSync(`${file}.1`).size).toBe(MAX_LOG_BYTES + 1);
    expect(readFileSync(file, 'utf8')).toMatch(/ fresh\n$/);
  });

  it('never throws when the file cannot be written', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-log-'));
    writeFileSync(path.join(dir, 'blocker'), '');
    const log = createFileLogger(path.join(dir, 'blocker', 'main.log'));
    expect(() => log('still fine', new Error('x'))).not.toThrow();
  });

  it('formats non-Error values readably', () => {
    expect(formatLogEntry(new Date(0), 'm', { code: 1 })).toBe(
      '1970-01-01T00:00:00.000Z m\n{ code: 1 }\n',
    );
  });
});
