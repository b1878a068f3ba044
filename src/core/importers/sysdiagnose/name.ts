// What a sysdiagnose archive's name records:
// `sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404` is the capture's local time
// with its UTC offset, the model family, the OS and its build. It records no serial, UDID or zone.

/** Facts read from a sysdiagnose name. */
export interface SysdiagnoseNameFacts {
  /** Local capture time `YYYY-MM-DDTHH:MM:SS` as written. */
  localTime: string;
  /** UTC offset at capture, minutes east of UTC, or null when the name has none. */
  offsetMin: number | null;
  model: string | null;
  osName: string | null;
  osVersion: string | null;
  build: string | null;
}

const NAME =
  /^sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-]\d{4})?(?:_([A-Za-z-]+)_([A-Za-z]+OS)_([0-9.]+)_([0-9A-Za-z]+))?/;

/** The facts a sysdiagnose archive or folder name records, or null when it is not such a name. */
export function sysdiagnoseNameFacts(name: string): SysdiagnoseNameFacts | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, off, model, osName, osVersion, build] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  let offsetMin: number | null = null;
  if (off !== undefined) {
    const hh = Number(off.slice(1, 3));
    const mm = Number(off.slice(3, 5));
    if (hh <= 14 && mm < 60) offsetMin = (off[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  return {
    localTime: `${y}-${mo}-${d}T${h}:${mi}:${s}`,
    offsetMin,
    model: model ?? null,
    osName: osName ?? null,
    osVersion: osVersion ?? null,
    build: build ?? null,
  };
}

/** The capture instant (UTC ms) the name records with its offset, or null without an offset. */
export function captureInstantOf(facts: SysdiagnoseNameFacts): number | null {
  if (facts.offsetMin === null) return null;
  const wall = Date.parse(`${facts.localTime}Z`);
  return Number.isFinite(wall) ? wall - facts.offsetMin * 60_000 : null;
}
