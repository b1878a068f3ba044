import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The renderer writes every time through src/renderer/shared/time-format.ts on a 24-hour clock.
// These are the ways a time can slip past it onto a locale's 12-hour clock.
const ROOT = join(import.meta.dirname, '..', 'renderer');
const FORBIDDEN: [RegExp, string][] = [
  [/\.toLocale(Time|Date)?String\(/, 'a locale formatter (12-hour on some machines)'],
  [/type="time"|type="datetime-local"|type="date"/, 'a native picker that follows the locale'],
  [/\b(utcFormat|timeFormat|timeFormatDefaultLocale)\b/, "d3's own time format"],
  [/Intl\.DateTimeFormat\([^)]*\)\.format/, 'Intl formatting in the locale'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

describe('the renderer’s clock', () => {
  it('writes no time through a locale formatter, a native time picker or d3’s format', () => {
    const found: string[] = [];
    for (const file of sources(ROOT)) {
      const text = readFileSync(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const [re, what] of FORBIDDEN)
          if (re.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${what}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('labels every d3 axis through the app’s formatter', () => {
    for (const file of sources(ROOT)) {
      const text = readFileSync(file, 'utf8');
      const axes = text.match(/\baxis(Bottom|Top|Left|Right)\(/g)?.length ?? 0;
      if (axes === 0) continue;
      expect(
        text.match(/\.tickFormat\(/g)?.length ?? 0,
        relative(ROOT, file),
      ).toBeGreaterThanOrEqual(axes);
      expect(text, relative(ROOT, file)).toMatch(/from '..\/..\/shared\/time-format'/);
    }
  });
});
