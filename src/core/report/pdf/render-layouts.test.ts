import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { reportFontPaths, SANS } from './layout';
import { WordLayouts } from './render';

type Internals = { _font: { layoutRun: (text: string) => unknown } };

/** A document with the report's regular font laid out through `words`, counting new layouts. */
function docWith(words: WordLayouts): { doc: PDFKit.PDFDocument; laidOut: () => number } {
  const doc = new PDFDocument({ size: 'A4' });
  doc.registerFont(SANS, words.source(SANS, reportFontPaths().regular));
  words.install(doc, SANS);
  const font = (doc as unknown as Internals)._font;
  const run = font.layoutRun.bind(font);
  let n = 0;
  font.layoutRun = (text) => {
    n += 1;
    return run(text);
  };
  doc.fontSize(9);
  return { doc, laidOut: () => n };
}

describe('word layouts of the report', () => {
  it('are kept across pages and documents, so the second pass lays out no word again', () => {
    const words = new WordLayouts();
    const text = 's:1:00000000-0000-4000-A000-000000000001 at week-01.ndjson line 1, line 2';
    const first = docWith(words);
    first.doc.text(text);
    first.doc.addPage();
    first.doc.text(text);
    const once = first.laidOut();
    expect(once).toBeGreaterThan(0);
    first.doc.end();
    const second = docWith(words);
    second.doc.text(text);
    expect(second.laidOut()).toBe(0);
    second.doc.end();
  });

  it('keep at most the limit of words per font, so a long report does not keep every word', () => {
    const words = new WordLayouts(5);
    const { doc } = docWith(words);
    for (let i = 0; i < 40; i += 1) doc.text(`id-${i} `);
    expect(words.kept(SANS)).toBeGreaterThan(0);
    expect(words.kept(SANS)).toBeLessThanOrEqual(5);
    // Laying out again after the list was emptied works as before.
    doc.text('line 3');
    expect(words.kept(SANS)).toBeGreaterThan(0);
    doc.end();
  });

  it('give the same document as laying out every word afresh', async () => {
    const render = async (words: WordLayouts | null): Promise<Buffer> => {
      const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date(0) } });
      if (words) {
        doc.registerFont(SANS, words.source(SANS, reportFontPaths().regular));
        words.install(doc, SANS);
      } else doc.registerFont(SANS, reportFontPaths().regular);
      doc.font(SANS).fontSize(9);
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
      for (let page = 0; page < 3; page += 1) {
        if (page > 0) doc.addPage();
        doc.text(`Page ${page}: apr.ndjson line ${page}, 应用 line ${page + 1} 😀 =SUM(A1)`);
      }
      doc.end();
      await done;
      return Buffer.concat(chunks);
    };
    const plain = await render(null);
    const words = new WordLayouts(3);
    expect((await render(words)).equals(plain)).toBe(true);
    // Again with the words (and the parsed font) of the first document.
    expect((await render(words)).equals(plain)).toBe(true);
  });
});
