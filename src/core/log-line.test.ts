import { describe, expect, it } from 'vitest';
import { logLine } from './log-line';
import { AppError } from './model/errors';

describe('logLine', () => {
  it('gives an expected failure as its sentence and code, without a stack', () => {
    const line = logLine(
      'Could not bring the stored findings up to date',
      new AppError('NOT_FOUND', 'No case file at /tmp/x/study.snoopscope.'),
    );
    expect(line).toBe(
      'Could not bring the stored findings up to date: No case file at /tmp/x/study.snoopscope. (NOT_FOUND)',
    );
    expect(line).not.toMatch(/\n\s+at /);
  });

  it('keeps the stack of anything else, a defect to look into', () => {
    const line = logLine('The import failed', new TypeError('x is undefined'));
    expect(line.split('\n')[0]).toBe('The import failed');
    expect(line).toContain('TypeError: x is undefined');
    expect(line).toMatch(/\n\s+at /);
  });

  it('gives the message alone when nothing else is known, and other values as text', () => {
    expect(logLine('Stale after a refresh')).toBe('Stale after a refresh');
    expect(logLine('Worker ended', 3)).toBe('Worker ended\n3');
    expect(logLine('Import worker failed', 'Error: x\n    at y')).toBe(
      'Import worker failed\nError: x\n    at y',
    );
    expect(logLine('m', { code: 1 })).toBe('m\n{ code: 1 }');
  });
});
