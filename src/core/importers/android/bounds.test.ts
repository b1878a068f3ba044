import { describe, expect, it } from 'vitest';
import { ContextPass } from './capture-context';
import { GetpropParser, parseGetprop } from './getprop';
import { AndroidRecordBuilder } from './records';

// What the line-fed readers hold is bounded whatever the input: a getprop value that never
// closes, a packages.json that grew after its size was checked, junk lines in a first read.

describe('bounds of the line-fed Android readers', () => {
  it('gives up a getprop value that never closes after a megabyte, and reads the lines after it', () => {
    const long = 'x'.repeat(1000);
    const lines = ['[a.b]: [start', ...Array<string>(1100).fill(long), '[c.d]: [e]'];
    const r = parseGetprop(lines.join('\n'));
    expect(r.props.get('c.d')).toBe('e');
    expect(r.props.has('a.b')).toBe(false);
    expect(r.problems[0]).toEqual({ line: 1, message: '[a.b] has no closing bracket; skipped.' });
    // The lines after the cut are read as lines again (here: not getprop lines).
    expect(r.problems.length).toBeGreaterThan(1);
  });

  it('keeps no problems in the first read of a capture, only the values', () => {
    const pass = new ContextPass(null);
    const sink = pass.open('getprop');
    for (let i = 1; i <= 10_000; i++) sink.line(`junk ${i}`, i);
    sink.line('[persist.sys.timezone]: [Europe/Lisbon]', 10_001);
    sink.end();
    expect(pass.getprop.problems).toEqual([]);
    expect(pass.getprop.props.get('persist.sys.timezone')).toBe('Europe/Lisbon');
    const kept = new GetpropParser();
    kept.push('junk', 1);
    expect(kept.problems).toHaveLength(1);
  });

  it('leaves out a packages.json that is larger than the JSON bound when read', () => {
    const b = new AndroidRecordBuilder({ kind: 'zone', zone: 'UTC', source: 'examiner' }, null);
    const sink = b.open('packages-json', 'packages.json', 1);
    const line = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 65; i++) sink.line(line, i + 1);
    sink.end();
    expect(b.take()).toEqual([
      expect.objectContaining({
        type: 'warning',
        warning: expect.objectContaining({
          message: expect.stringContaining('larger than the 67108864 characters allowed'),
        }),
      }),
    ]);
  });
});
