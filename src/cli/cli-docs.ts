// Markdown rendered from the command line's declarations (usage.ts) and the findings rules'
// declarations (core/findings): the README's command-line reference and docs/findings.md keep
// these parts between `<!-- generated:KEY -->` and `<!-- /generated:KEY -->` markers, rewritten
// by `npm run docs:cli` and checked by a test, so the documents cannot drift from the code.
import type { FindingRuleInfo } from '../contract/findings';
import { COMMAND_DOCS, FILTER_DOCS, FILTER_NOTE, type CommandDoc, type OptionDoc } from './usage';

/** Text for a Markdown table cell: pipes escaped, so `jsonl|csv` stays in its cell. */
const cell = (text: string): string => text.replaceAll('|', '\\|');

function optionTable(options: OptionDoc[]): string[] {
  return [
    '| option | meaning |',
    '|---|---|',
    ...options.map((o) => `| \`${cell(o.flag)}\` | ${cell(o.text)} |`),
  ];
}

/** One command's reference: heading, synopsis, description, options, and whether filters apply. */
export function commandMarkdown(doc: CommandDoc): string {
  const lines = [
    `### \`${doc.name}\``,
    '',
    '```',
    ...doc.usage.map((u) => `snoopscope ${u}`),
    '```',
  ];
  for (const p of doc.description) lines.push('', p);
  if (doc.options.length > 0) lines.push('', ...optionTable(doc.options));
  if (doc.filters) lines.push('', 'Takes the [filters](#filters).');
  return lines.join('\n');
}

/** The filter options shared by several commands. */
export function filtersMarkdown(): string {
  return [...optionTable(FILTER_DOCS), '', FILTER_NOTE].join('\n');
}

/** The list of commands with one line each. */
export function commandListMarkdown(): string {
  return [
    '| command | what it does |',
    '|---|---|',
    ...COMMAND_DOCS.map((d) => `| [\`${d.name}\`](#${d.name}) | ${cell(d.summary)} |`),
  ].join('\n');
}

/** Every findings rule: what it looks for, its severity criteria, parameters and caveat. */
export function findingRulesMarkdown(infos: FindingRuleInfo[]): string {
  const parts: string[] = [];
  for (const info of infos) {
    const lines = [`### \`${info.id}\`: ${info.title}`, '', info.description, ''];
    lines.push(`**Severity.** ${info.severity}`, '');
    if (info.params.length === 0) lines.push('**Parameters.** None.');
    else {
      lines.push(
        '**Parameters.**',
        '',
        '| parameter | default | unit | meaning |',
        '|---|---|---|---|',
        ...info.params.map(
          (p) =>
            `| \`${info.id}.${p.name}\` | ${cell(String(p.default))} | ${cell(p.unit)} | ${cell(p.description)} |`,
        ),
      );
    }
    lines.push('', `**What it does not prove.** ${info.caveat}`);
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}

/**
 * Replaces the content between each `<!-- generated:KEY -->` / `<!-- /generated:KEY -->` pair with
 * `blocks[KEY]`. Every key must have exactly one pair, and every pair a key.
 */
export function updateGeneratedBlocks(text: string, blocks: Record<string, string>): string {
  const pattern = /<!-- generated:([\w:-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g;
  const seen = new Set<string>();
  const out = text.replace(pattern, (_match, key: string) => {
    const body = blocks[key];
    if (body === undefined) throw new Error(`No generated content for marker "${key}".`);
    if (seen.has(key)) throw new Error(`Marker "${key}" appears twice.`);
    seen.add(key);
    return `<!-- generated:${key} -->\n${body}\n<!-- /generated:${key} -->`;
  });
  const missing = Object.keys(blocks).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new Error(`Markers missing for: ${missing.join(', ')}.`);
  return out;
}

/** The README's generated blocks: the command list, each command and the filters. */
export function readmeBlocks(): Record<string, string> {
  const blocks: Record<string, string> = {
    'cli-commands': commandListMarkdown(),
    'cli-filters': filtersMarkdown(),
  };
  for (const doc of COMMAND_DOCS) blocks[`cli-${doc.name}`] = commandMarkdown(doc);
  return blocks;
}

/** docs/findings.md's generated block: every rule. */
export function findingsDocBlocks(infos: FindingRuleInfo[]): Record<string, string> {
  return { 'findings-rules': findingRulesMarkdown(infos) };
}
