import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ImportWarning } from '../../contract/warnings';
import { WarningsTable } from './WarningsTable';

const warning = (i: number): ImportWarning => ({
  line: i,
  locator: `line ${i}`,
  code: 'MALFORMED_LINE',
  message: `Line ${i} is not valid JSON.`,
});

const rowsOf = (html: string): number => html.split('data-testid="w-row"').length - 1;

describe('WarningsTable', () => {
  it('shows code, where and message of every warning when they are few, with no button', () => {
    const html = renderToStaticMarkup(
      <WarningsTable
        warnings={[
          { line: 6, locator: 'dumpsys.txt line 6', code: 'INVALID_TIMESTAMP', message: 'Back.' },
        ]}
        label="Warnings of dumpsys.txt"
        rowTestId="w-row"
      />,
    );
    expect(html).toContain('aria-label="Warnings of dumpsys.txt"');
    expect(html).toMatch(
      /<th scope="col"[^>]*>Code<\/th><th scope="col"[^>]*>Where<\/th><th scope="col">Message<\/th>/,
    );
    expect(html).toContain(
      '<td class="mono warnings-code">INVALID_TIMESTAMP</td><td class="mono warnings-where">dumpsys.txt line 6</td><td>Back.</td>',
    );
    expect(rowsOf(html)).toBe(1);
    expect(html).not.toContain('warnings-show-all');
  });

  it('shows the first rows up to its limit and a "Show all N" button tied to the table', () => {
    const html = renderToStaticMarkup(
      <WarningsTable
        warnings={Array.from({ length: 1234 }, (_, i) => warning(i + 1))}
        label="Warnings of a.ndjson"
        limit={50}
        rowTestId="w-row"
        footnote="Counted more than kept."
      />,
    );
    expect(rowsOf(html)).toBe(50);
    expect(html).toContain('Showing the first 50 of 1,234.');
    const button = /<button([^>]*)>([^<]*)<\/button>/.exec(html);
    expect(button?.[2]).toBe('Show all 1,234');
    expect(button?.[1]).toContain('type="button"');
    expect(button?.[1]).toContain('aria-expanded="false"');
    const tableId = /<table id="([^"]+)"/.exec(html)?.[1];
    expect(tableId).toBeTruthy();
    expect(button?.[1]).toContain(`aria-controls="${tableId}"`);
    expect(html).toContain('Counted more than kept.');
  });
});
