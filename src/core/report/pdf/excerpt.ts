/** The timeline excerpt drawn under a finding, with the device's own state under its accesses. */
import { formatIso } from './format';
import { type Doc, HATCH, INK, MUTED, RULE_GREY, SANS, STRIPE, ensureSpace, hatch } from './layout';

/** One access of an excerpt: its start and how long it lasted. */
export interface ExcerptMark {
  ms: number;
  durationMs: number;
}

/**
 * The device's screen and lock state over an excerpt's window, as the timeline's bands show it:
 * the coverage windows of each kind (outside them nothing is known) and the stretches with the
 * screen off or the device locked, already cut to coverage and to the window.
 */
export interface ExcerptDeviceState {
  deviceId: number;
  /** Whether the device has any screen or lock record in the case; without one no row is drawn. */
  recorded: boolean;
  /** The window the bands were read for (the excerpt's, see {@link excerptWindow}). */
  fromMs: number;
  toMs: number;
  coverage: { kind: 'screen' | 'lock'; fromMs: number; toMs: number }[];
  bands: { kind: 'screen-off' | 'locked'; fromMs: number; toMs: number; basis: string }[];
  /** The evidence the records come from (`powerlog`, `usagestats`, `batterystats`). */
  bases: string[];
}

/** The stretch an excerpt draws: from its first access's start to its last access's end. */
export function excerptWindow(marks: readonly ExcerptMark[]): { fromMs: number; toMs: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const m of marks) {
    from = Math.min(from, m.ms);
    to = Math.max(to, m.ms + m.durationMs);
  }
  // A single instant still gets a window one millisecond long, so its state can be read.
  return { fromMs: from, toMs: Math.max(to, from + 1) };
}

const TRACK_H = 6;
const TRACK_GAP = 3;
const TRACKS = [
  { kind: 'screen-off', coverage: 'screen', label: 'Screen off', fill: '#8c8c8c' },
  { kind: 'locked', coverage: 'lock', label: 'Locked', fill: '#333333' },
] as const;

const BASIS_WORDS: Record<string, string> = {
  powerlog: 'PowerLog',
  usagestats: 'usagestats',
  batterystats: 'batterystats',
};

/** The evidence names in words, e.g. "PowerLog and usagestats". */
export function basisWords(bases: readonly string[]): string {
  const words = [...new Set(bases.flatMap((b) => b.split('+')))]
    .filter((b) => b !== '')
    .map((b) => BASIS_WORDS[b] ?? b);
  if (words.length <= 1) return words[0] ?? 'no named source';
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * A timeline excerpt of a finding's evidence: its accesses as black marks (width by duration,
 * at least a hairline) on a grey strip from the first to the last, with the two ends labelled.
 * With `state`, the device's screen-off and locked tracks follow on the same time axis (hatched
 * where no device-state record covers the stretch) with a legend naming their source; a device
 * with no such record gets one sentence instead. The track labels sit in the space left of `x`.
 */
export function drawExcerpt(
  doc: Doc,
  x: number,
  width: number,
  given: ExcerptMark[],
  first: string | null,
  last: string | null,
  givenState?: ExcerptDeviceState & { deviceLabel: string },
): void {
  // An instant no clock can hold is left out rather than drawn at a place that means nothing.
  const marks = given.filter((m) => Number.isFinite(m.ms) && Number.isFinite(m.durationMs));
  if (marks.length === 0) return;
  const state = givenState && {
    ...givenState,
    coverage: givenState.coverage.filter(finiteStretch),
    bands: givenState.bands.filter(finiteStretch),
  };
  const { fromMs: from, toMs: to } = excerptWindow(marks);
  const span = Math.max(1, to - from);
  const tracks = state?.recorded ? TRACKS : [];
  ensureSpace(doc, 30 + tracks.length * (TRACK_H + TRACK_GAP) + (state ? 22 : 0));
  const y = doc.y + 2;
  doc.rect(x, y, width, 10).fillColor(STRIPE).fill();
  doc.rect(x, y, width, 10).lineWidth(0.5).strokeColor(RULE_GREY).stroke();
  for (const m of marks) {
    const mx = x + ((m.ms - from) / span) * width;
    const mw = Math.max(0.8, (m.durationMs / span) * width);
    doc
      .rect(Math.min(mx, x + width - mw), y, mw, 10)
      .fillColor(INK)
      .fill();
  }
  const place = (a: number, b: number): { left: number; w: number } | null => {
    const lo = Math.max(a, from);
    const hi = Math.min(b, to);
    if (!(hi > lo)) return null;
    const left = x + ((lo - from) / span) * width;
    // At least a hairline, kept inside the track.
    const w = Math.max(0.6, ((hi - lo) / span) * width);
    return { left: Math.min(left, x + width - w), w };
  };
  let ty = y + 10 + TRACK_GAP;
  if (state && tracks.length > 0) {
    doc.font(SANS).fontSize(6).fillColor(MUTED);
    doc.text('Accesses', x - 72, y + 2, { width: 68, align: 'right', lineBreak: false });
  }
  for (const t of tracks) {
    doc.font(SANS).fontSize(6).fillColor(MUTED);
    doc.text(t.label, x - 72, ty - 0.5, { width: 68, align: 'right', lineBreak: false });
    doc.rect(x, ty, width, TRACK_H).fillColor('#ffffff').fill();
    const windows = state!.coverage.filter((c) => c.kind === t.coverage);
    for (const g of uncovered(windows, from, to)) {
      const box = place(g.fromMs, g.toMs);
      if (box) hatchTrack(doc, box.left, ty, box.w, TRACK_H);
    }
    for (const b of state!.bands) {
      if (b.kind !== t.kind) continue;
      const box = place(b.fromMs, b.toMs);
      if (box) doc.rect(box.left, ty, box.w, TRACK_H).fillColor(t.fill).fill();
    }
    doc.rect(x, ty, width, TRACK_H).lineWidth(0.5).strokeColor(RULE_GREY).stroke();
    ty += TRACK_H + TRACK_GAP;
  }
  doc.font(SANS).fontSize(7).fillColor(MUTED);
  const ly = ty - TRACK_GAP + 2;
  doc.text(`Timeline excerpt, ${marks.length} access${marks.length === 1 ? '' : 'es'}`, x, ly, {
    width: width / 3,
    lineBreak: false,
  });
  if (first)
    doc.text(formatIso(first), x + width / 3, ly, {
      width: width / 3,
      align: 'center',
      lineBreak: false,
    });
  if (last)
    doc.text(formatIso(last), x + (2 * width) / 3, ly, {
      width: width / 3,
      align: 'right',
      lineBreak: false,
    });
  doc.y = ly + 10;
  if (state) drawStateLegend(doc, x, width, state);
  doc.fillColor(INK);
}

// Under the excerpt: the legend of the tracks with their source, or the sentence saying the
// device has no screen or lock record at all (so nothing is drawn, and nothing is assumed).
function drawStateLegend(
  doc: Doc,
  x: number,
  width: number,
  state: ExcerptDeviceState & { deviceLabel: string },
): void {
  const y = doc.y + 1;
  doc.font(SANS).fontSize(6.5).fillColor(MUTED);
  if (!state.recorded) {
    const sentence =
      `Device state: no screen or lock record of ${state.deviceLabel} is in this case (from a ` +
      'PowerLog, usagestats or a batterystats history), so whether its screen was on or it was ' +
      'locked at these accesses is unknown.';
    doc.text(sentence, x, y, { width });
    doc.y = doc.y + 1;
    return;
  }
  const covered = state.coverage.length > 0;
  let cx = x;
  const swatch = (kind: 'fill' | 'hatch' | 'blank', fill: string, label: string): void => {
    if (kind === 'hatch') hatchTrack(doc, cx, y + 1, 10, TRACK_H);
    else
      doc
        .rect(cx, y + 1, 10, TRACK_H)
        .fillColor(fill)
        .fill();
    doc
      .rect(cx, y + 1, 10, TRACK_H)
      .lineWidth(0.5)
      .strokeColor(RULE_GREY)
      .stroke();
    doc.font(SANS).fontSize(6.5).fillColor(MUTED);
    doc.text(label, cx + 13, y, { lineBreak: false });
    cx += 13 + doc.widthOfString(label) + 8;
  };
  swatch('fill', TRACKS[0].fill, 'screen off');
  swatch('fill', TRACKS[1].fill, 'locked');
  swatch('blank', '#ffffff', 'screen on / unlocked');
  swatch('hatch', HATCH, 'no device-state record');
  const source = covered
    ? `Device state from ${basisWords(state.bases)}.`
    : `Device state: ${basisWords(state.bases)} records of this device do not cover this stretch.`;
  doc.text(source, x, y + 9, { width });
  doc.y = doc.y + 1;
}

function finiteStretch(s: { fromMs: number; toMs: number }): boolean {
  return Number.isFinite(s.fromMs) && Number.isFinite(s.toMs);
}

// The parts of [from, to] no window covers.
function uncovered(
  windows: readonly { fromMs: number; toMs: number }[],
  from: number,
  to: number,
): { fromMs: number; toMs: number }[] {
  const out: { fromMs: number; toMs: number }[] = [];
  let cursor = from;
  for (const w of [...windows].sort((a, b) => a.fromMs - b.fromMs)) {
    if (w.toMs <= cursor) continue;
    if (w.fromMs >= to) break;
    if (w.fromMs > cursor) out.push({ fromMs: cursor, toMs: w.fromMs });
    cursor = Math.max(cursor, w.toMs);
  }
  if (cursor < to) out.push({ fromMs: cursor, toMs: to });
  return out;
}

// The excerpt's mark of "no device-state record": finer than the heatmap's "no data".
function hatchTrack(doc: Doc, x: number, y: number, w: number, h: number): void {
  hatch(doc, { x, y, w, h }, 3, 0.4);
}
