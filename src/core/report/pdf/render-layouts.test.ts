import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { reportFontPaths, SANS } from './layout';
import { forgetWordLayouts } from './render';

type Cached = { _fontFamilies: Record<string, { layoutCache?: Record<string, unknown> }> };

describe('word layouts of the report', () => {
  it('are forgotten when asked, so a long report does not keep every word it laid out', () => {
    const doc = new PDFDocument({ size: 'A4' });
    doc.registerFont(SANS, reportFontPaths().regular);
    doc.font(SANS).fontSize(9);
    doc.text('s:1:00000000-0000-4000-A000-000000000001 at week-01.ndjson line 1, line 2');
    const cached = (): number =>
      Object.values((doc as unknown as Cached)._fontFamilies).reduce(
        (n, f) => n + Object.keys(f.layoutCache ?? {}).length,
        0,
      );
    expect(cached()).toBeGreaterThan(0);
    forgetWordLayouts(doc);
    expect(cached()).toBe(0);
    // Laying out again after forgetting works as before.
    doc.text('line 3');
    expect(cached()).toBeGreaterThan(0);
    doc.end();
  });
});
