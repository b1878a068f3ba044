/**
 * The one CSV writer of Snoopscope: every CSV the app, the CLI and a bundle write goes through
 * `csvTable`, so the formula-injection defence below cannot be skipped by one writer.
 */

/** One cell as a writer hands it over; null and undefined are written empty. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * How a column's cells are written. `text`: words that come from the evidence or the examiner
 * (app ids, domains, contexts, owners, file names, labels, tags, notes, titles, ids that quote
 * them): a cell that a spreadsheet would read as a formula is made inert. `value`: numbers,
 * flags, times, offsets and hashes the tool itself formats: written exactly as they are, so a
 * negative number or an offset such as `-05:00` stays a value.
 */
export type CsvColumnKind = 'text' | 'value';

/** A column: its header and how its cells are written. */
export interface CsvColumn {
  name: string;
  kind: CsvColumnKind;
}

/**
 * The first characters that make a spreadsheet (Excel, LibreOffice, Google Sheets, Numbers) read a
 * cell as a formula or strip what protects it: `=`, `+`, `-`, `@`, tab and carriage return (the
 * OWASP list), their full-width forms (read as formulas by some East Asian locales), and any other
 * leading whitespace or control character (an import that trims spaces would expose what follows).
 * A leading `'` is included so that the added quote can always be removed again: a text that
 * itself starts with `'` gets one more.
 */
const GUARDED_START = /^[=+\-@'\uFF1D\uFF0B\uFF0D\uFF20\s\p{Cc}]/u;

/** The rule in words, for files that describe a CSV beside it. */
export const FORMULA_GUARD_NOTE =
  "A text cell (any column not listed as a value column) whose text starts with =, +, -, @, a tab, a carriage return, other whitespace or control characters, a full-width ＝＋－＠, or ' is written with one ' in front so spreadsheets do not run it as a formula; remove one leading ' from such a cell to read the original text. Value columns are written as they are.";

/** True when a text cell starting like this would be guarded (the rule in one place). */
export function needsFormulaGuard(text: string): boolean {
  return GUARDED_START.test(text);
}

/**
 * A text cell made inert for spreadsheets: `'` is put in front of a text starting with a formula
 * character, a quote, whitespace or a control character; every other text is unchanged. The
 * quote is the usual defence (spreadsheets show the rest as text and hide the quote).
 */
export function guardFormula(text: string): string {
  return needsFormulaGuard(text) ? `'${text}` : text;
}

/**
 * The original text of a guarded cell: the one leading `'` removed. Reading a text column back,
 * apply it to every cell: a cell starting with `'` always had one added.
 */
export function unguardFormula(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** What makes a CSV field need quotes (RFC 4180): a comma, quote, CR or LF. */
export const CSV_NEEDS_QUOTES = /[",\r\n]/;

/** Quotes one CSV field (RFC 4180): fields with a comma, quote, CR or LF are quoted. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return CSV_NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV writer for fixed columns: the header line and one line per row, each ending in CRLF. */
export interface CsvTable {
  readonly columns: readonly CsvColumn[];
  /** The header line. */
  header(): string;
  /** One row; its values are in the order of the columns. */
  row(values: readonly CsvValue[]): string;
}

/** Builds the writer of a CSV with these columns (text cells guarded, value cells as they are). */
export function csvTable(columns: readonly CsvColumn[]): CsvTable {
  const names = columns.map((c) => c.name);
  const text = columns.map((c) => c.kind === 'text');
  return {
    columns,
    header: () => `${names.map(csvField).join(',')}\r\n`,
    row(values) {
      if (values.length !== columns.length)
        throw new Error(`A CSV row has ${values.length} cells for ${columns.length} columns.`);
      const cells = values.map((v, i) => {
        if (v === null || v === undefined) return '';
        return csvField(text[i] ? guardFormula(String(v)) : v);
      });
      return `${cells.join(',')}\r\n`;
    },
  };
}

/** Columns from names: those listed in `values` are value columns, every other one is text. */
export function csvColumns<N extends string>(
  names: readonly N[],
  values: readonly NoInfer<N>[],
): CsvColumn[] {
  const known = new Set<string>(values);
  return names.map((name) => ({ name, kind: known.has(name) ? 'value' : 'text' }));
}
