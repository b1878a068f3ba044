import { describe, expect, it } from 'vitest';
import type { SessionDetails, TimelineSession } from '../../../contract/api';
import {
  androidRows,
  countBackground,
  rawUidState,
  STATE_MARK_MIN_PX,
  stateMarkBox,
  stateMarkKind,
  stateMarkKinds,
  stateText,
} from './state-mark';

const session = (
  id: string,
  state: TimelineSession['state'],
  stateSource: TimelineSession['stateSource'],
): TimelineSession => ({
  id,
  lane: 'L',
  category: 'photos',
  startMs: 0,
  endMs: 0,
  anchorMs: 0,
  offsetMin: 60,
  open: false,
  state,
  stateSource,
});

type Android = NonNullable<SessionDetails['android']>;
const android = (over: Partial<Android> = {}): { android: Android } => ({
  android: {
    rawState: 'bg-s',
    attributionTag: null,
    proxy: null,
    durationKnown: true,
    inferredState: null,
    proxyLines: [],
    ...over,
  },
});

describe('background marks', () => {
  it('marks background sessions only, telling reported from inferred', () => {
    expect(stateMarkKind(session('a', 'background', 'reported'))).toBe('reported');
    expect(stateMarkKind(session('a', 'background', 'inferred'))).toBe('inferred');
    expect(stateMarkKind(session('a', 'background', null))).toBe('inferred');
    expect(stateMarkKind(session('a', 'foreground', 'reported'))).toBeNull();
    expect(stateMarkKind(session('a', 'unknown', null))).toBeNull();
  });

  it('lists the kinds present and counts background sessions', () => {
    const list = [
      session('a', 'unknown', null),
      session('b', 'background', 'inferred'),
      session('c', 'foreground', 'reported'),
    ];
    expect([...stateMarkKinds(list)]).toEqual(['inferred']);
    expect(stateMarkKinds([]).size).toBe(0);
    expect(countBackground(list)).toBe(1);
  });

  it('puts the band at the foot of the bar and widens instants', () => {
    expect(stateMarkBox({ x0: 10, x1: 110 }, { y: 5, h: 20 })).toEqual({
      x: 10,
      y: 21,
      w: 100,
      h: 4,
      gap: true,
    });
    const instant = stateMarkBox({ x0: 50, x1: 52 }, { y: 5, h: 6 });
    expect(instant).toEqual({
      x: 51 - STATE_MARK_MIN_PX / 2,
      y: 9,
      w: STATE_MARK_MIN_PX,
      h: 2,
      gap: true,
    });
    expect(stateMarkBox({ x0: 0, x1: 40 }, { y: 10, h: 9.5 }).h).toBe(3);
    // Four categories in one lane: a thin band and no white line, so the colour still shows.
    expect(stateMarkBox({ x0: 0, x1: 40 }, { y: 10, h: 4.25 })).toMatchObject({
      h: 1.5,
      gap: false,
    });
  });
});

describe('state text', () => {
  it('says how the state is known', () => {
    expect(stateText('background', 'reported', 'bg-s')).toBe(
      'Background (reported by Android: bg-s)',
    );
    expect(stateText('background', 'reported')).toBe('Background (reported by Android)');
    expect(stateText('background', 'inferred', 'fg-s')).toBe(
      'Background (inferred from usage records)',
    );
    expect(stateText('foreground', 'reported', 'top-s')).toBe(
      'Foreground (reported by Android: top-s)',
    );
    expect(stateText('unknown', null)).toBeNull();
  });

  it('reads the uid state of a printed state-flag', () => {
    expect(rawUidState('bg-s')).toBe('bg');
    expect(rawUidState('fgsvcl-tpd')).toBe('fgsvcl');
    expect(rawUidState('cch')).toBe('cch');
  });
});

describe('android rows', () => {
  it('is empty for other sources', () => {
    expect(androidRows({ android: null })).toEqual([]);
  });

  it('shows the printed state, tag and instant note', () => {
    const rows = androidRows(
      android({ rawState: 'cch-s', attributionTag: 'com.example.ipa', durationKnown: false }),
    );
    expect(rows.map((r) => [r.key, r.value])).toEqual([
      ['reported', 'Background'],
      ['raw', 'cch-s'],
      ['tag', 'com.example.ipa'],
      ['duration', 'Duration not printed by Android: shown as an instant'],
    ]);
  });

  it('keeps the inferred state apart and labels it as an inference', () => {
    const rows = androidRows(android({ rawState: null, inferredState: 'background' }));
    expect(rows.find((r) => r.key === 'reported')?.value).toBe('Not printed');
    const inferred = rows.find((r) => r.key === 'inferred');
    expect(inferred?.inference).toBe(true);
    expect(inferred?.value).toMatch(/^Background — an inference from usage records/);
    expect(rows.find((r) => r.key === 'tag')?.value).toBe('none (null)');
    expect(rows.some((r) => r.key === 'duration')).toBe(false);
  });

  it('names the proxy app and an unreadable state', () => {
    const rows = androidRows(
      android({
        rawState: 'zz-upd',
        proxy: { uid: 10187, packageName: 'com.google.android.gm', attributionTag: null },
      }),
    );
    expect(rows.find((r) => r.key === 'reported')?.value).toBe('Unknown (state not understood)');
    expect(rows.find((r) => r.key === 'proxy')?.value).toBe('com.google.android.gm · uid 10187');
  });
});
