import { describe, expect, it } from 'vitest';
import { bandTracks, placeBox, uncovered } from './device-state-bands';

const V = { fromMs: 0, toMs: 1000, width: 100 };

describe('device-state bands', () => {
  it('hatches the view outside coverage and draws bands only inside it', () => {
    const [screen, locked] = bandTracks(
      {
        deviceId: 1,
        coverage: [{ kind: 'screen', fromMs: 200, toMs: 600 }],
        bands: [{ kind: 'screen-off', fromMs: 300, toMs: 400, basis: 'powerlog' }],
      },
      V,
    );
    expect(screen!.gaps.map((g) => [g.left, g.width])).toEqual([
      [0, 20],
      [60, 40],
    ]);
    expect(screen!.bands.map((b) => [b.left, b.width, b.basis])).toEqual([[30, 10, 'powerlog']]);
    // No lock coverage: the whole locked track is hatched, and nothing is drawn on it.
    expect(locked!.gaps.map((g) => [g.left, g.width])).toEqual([[0, 100]]);
    expect(locked!.bands).toEqual([]);
  });

  it('places stretches partly outside the view, at least a pixel wide', () => {
    expect(placeBox(-100, 5, V)).toEqual({ left: 0, width: 1, fromMs: 0, toMs: 5 });
    expect(placeBox(1000, 2000, V)).toBeNull();
    expect(uncovered([{ fromMs: -5, toMs: 2000 }], V)).toEqual([]);
  });
});
