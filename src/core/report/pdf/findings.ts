/** The findings section: each finding with its severity, rule, place, caveat, evidence and excerpt. */
import type { Finding, Severity } from '../../../contract/findings';
import { drawEvidence } from './evidence';
import { drawExcerpt } from './excerpt';
import { appLabel, categoryWord, formatIso, isAscii, intervalWording } from './format';
import {
  BOLD,
  type Doc,
  INK,
  MARGIN,
  MONO,
  MUTED,
  RULE_GREY,
  SANS,
  bottomLimit,
  contentWidth,
  ensureSpace,
  heading,
  paragraph,
} from './layout';
import type { ExcerptDeviceState } from './excerpt';
import type { ReportFinding } from './types';

const SEVERITY_WORDS: Record<Severity, string> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Information',
};
const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };
/** Fill of the severity badge: darker for more severe, always with the word beside it. */
const SEVERITY_FILL: Record<Severity, string> = {
  high: '#000000',
  medium: '#555555',
  low: '#999999',
  info: '#ffffff',
};

/** Draws the findings section: a count by severity, then each detailed finding. */
export function drawFindings(
  doc: Doc,
  findings: Finding[],
  excerpts: Record<string, { ms: number; durationMs: number }[]>,
  states: Record<string, ExcerptDeviceState> = {},
): void {
  heading(doc, 'Findings');
  if (findings.length === 0) {
    paragraph(doc, 'No rule produced a finding within the filter.');
    return;
  }
  const counts = (['high', 'medium', 'low', 'info'] as const)
    .map((s) => ({ s, n: findings.filter((f) => f.severity === s).length }))
    .filter((c) => c.n > 0)
    .map((c) => `${c.n} ${SEVERITY_WORDS[c.s].toLowerCase()}`);
  paragraph(
    doc,
    `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.join(', ')}. ` +
      'Severity follows the documented criteria of each rule and is written out in words.',
    9,
    MUTED,
  );
  doc.moveDown(0.6);

  const detailed = detailedFindings(findings);
  for (const f of detailed) drawFinding(doc, f, excerpts[f.id] ?? [], states[f.id]);
  // Pages for thousands of findings would hold the whole document in memory for little use.
  if (findings.length > detailed.length)
    paragraph(
      doc,
      `${findings.length - detailed.length} more finding${findings.length - detailed.length === 1 ? '' : 's'} of lower rank are not detailed here: findings.csv lists every finding with its evidence.`,
      9,
      MUTED,
    );
}

/** The report details at most this many findings, the most severe first. */
export const REPORT_FINDINGS_DETAILED = 300;

/** The findings the report details, in its order: most severe first, then by rule and id. */
export function detailedFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings]
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.rule.localeCompare(b.rule) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, REPORT_FINDINGS_DETAILED);
}

function drawFinding(
  doc: Doc,
  f: ReportFinding,
  marks: { ms: number; durationMs: number }[],
  state: ExcerptDeviceState | undefined,
): void {
  const width = contentWidth(doc);
  const badgeW = 78;
  const textX = MARGIN + badgeW + 8;
  const textW = width - badgeW - 8;

  doc.font(BOLD).fontSize(11);
  // An interval is never said to be how long something was read (see `intervalWording`).
  const title = intervalWording(f.title);
  const titleH = doc.heightOfString(title, { width: textW });
  ensureSpace(doc, titleH + 80);

  const y = doc.y;
  // Severity badge: shade plus the word, so it reads without colour.
  const fill = SEVERITY_FILL[f.severity];
  doc
    .rect(MARGIN, y + 1, badgeW, 16)
    .lineWidth(0.75)
    .fillColor(fill)
    .strokeColor(INK)
    .fillAndStroke();
  doc
    .font(BOLD)
    .fontSize(8.5)
    .fillColor(f.severity === 'high' || f.severity === 'medium' ? '#ffffff' : INK)
    .text(SEVERITY_WORDS[f.severity].toUpperCase(), MARGIN, y + 3.5, {
      width: badgeW,
      align: 'center',
      lineBreak: false,
    });
  doc.font(BOLD).fontSize(11).fillColor(INK).text(title, textX, y, { width: textW });
  doc.y = Math.max(doc.y, y + 20);

  const who = [
    f.device,
    f.app
      ? appLabel(f.appName, f.app) + (f.appName && f.appName !== f.app ? ` (${f.app})` : '')
      : null,
    f.category ? categoryWord(f.category) : null,
  ]
    .filter(Boolean)
    .join(' | ');
  const lines: [string, string, boolean][] = [
    ['Severity', SEVERITY_WORDS[f.severity], false],
    ['Rule', f.rule, false],
    ['Where', who, false],
    ['Count', String(f.count), false],
    ['First', formatIso(f.first), false],
    ['Last', formatIso(f.last), false],
    ['Caveat', intervalWording(f.caveat), false],
  ];
  if (f.evidence.length === 0) lines.push(['Evidence', 'None listed', false]);

  const labelW = 60;
  for (const [label, value, mono] of lines) {
    const font = mono && isAscii(value) ? MONO : SANS;
    doc.font(font).fontSize(9);
    const h = doc.heightOfString(value, { width: textW - labelW });
    ensureSpace(doc, h + 2);
    const ly = doc.y;
    doc
      .font(BOLD)
      .fontSize(9)
      .fillColor(MUTED)
      .text(label, textX, ly, { width: labelW - 4 });
    doc
      .font(font)
      .fontSize(9)
      .fillColor(INK)
      .text(value, textX + labelW, ly, { width: textW - labelW });
    doc.y = ly + Math.max(h, 11) + 1.5;
  }
  if (f.evidence.length > 0) drawEvidence(doc, f, textX + labelW, textW - labelW, textX, labelW);
  drawExcerpt(
    doc,
    textX,
    textW,
    marks,
    f.first,
    f.last,
    state && { ...state, deviceLabel: f.device },
  );
  doc.x = MARGIN;
  const sepY = doc.y + 5;
  if (sepY < bottomLimit(doc)) {
    doc
      .moveTo(MARGIN, sepY)
      .lineTo(MARGIN + width, sepY)
      .lineWidth(0.25)
      .strokeColor(RULE_GREY)
      .stroke();
  }
  doc.y = sepY + 9;
}
