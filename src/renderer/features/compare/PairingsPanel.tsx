import { memo, useId, useMemo, useState } from 'react';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';

/**
 * App pairings: an iOS app and its Android counterpart (e.g. `com.tencent.xin` and
 * `com.tencent.mm`) are one row in the comparison. Stored in the case; the CLI uses them too.
 */
export const PairingsPanel = memo(function PairingsPanel() {
  const { client } = useApp();
  const pairings = useQuery('listPairings', {});
  const apps = useQuery('listApps', {});
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const listId = useId();

  const identifiers = useMemo(
    () =>
      [...new Map((apps.data ?? []).map((x) => [x.identifier, x.displayName])).entries()].sort(
        ([x], [y]) => x.localeCompare(y),
      ),
    [apps.data],
  );
  // The core offers the built-in catalog's counterparts first, then equal shown names.
  const suggested = useQuery('suggestPairings', {});
  const suggestions = (suggested.data ?? []).slice(0, 12);

  const run = async (x: string, y: string, remove: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    const r = await client.call('pairApps', { a: x, b: y, ...(remove ? { remove: true } : {}) });
    setBusy(false);
    if (!r.ok) setError(r.error);
    else if (!remove) {
      setA('');
      setB('');
    }
  };

  const canPair = a.trim() !== '' && b.trim() !== '' && a.trim() !== b.trim() && !busy;

  return (
    <section className="cmp-pairings" data-testid="compare-pairings" aria-label="App pairings">
      <h3 className="cmp-sub">App pairings</h3>
      <p className="muted small">
        Apps are matched across devices by identifier. Pair an app with its counterpart on another
        platform to compare them as one row; pairings are stored in the case and used by the{' '}
        <code>compare</code> command too.
      </p>
      <ErrorBanner error={error ?? pairings.error} title="Pairing" />
      {(pairings.data ?? []).length > 0 ? (
        <ul className="cmp-pair-list">
          {(pairings.data ?? []).map((p) => (
            <li key={`${p.a}|${p.b}`} data-testid="compare-pairing">
              <code>{p.a}</code> = <code>{p.b}</code>{' '}
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                aria-label={`Unpair ${p.a} and ${p.b}`}
                data-testid="compare-unpair"
                onClick={() => void run(p.a, p.b, true)}
              >
                Unpair
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small" data-testid="compare-no-pairings">
          No pairings yet.
        </p>
      )}
      <form
        className="cmp-pair-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canPair) void run(a.trim(), b.trim(), false);
        }}
      >
        <datalist id={listId}>
          {identifiers.map(([id, name]) => (
            <option key={id} value={id}>
              {name ?? id}
            </option>
          ))}
        </datalist>
        <input
          className="input input-small"
          list={listId}
          placeholder="com.tencent.xin"
          aria-label="First app identifier"
          data-testid="compare-pair-a"
          value={a}
          onChange={(e) => setA(e.target.value)}
        />
        <span aria-hidden="true">=</span>
        <input
          className="input input-small"
          list={listId}
          placeholder="com.tencent.mm"
          aria-label="Second app identifier"
          data-testid="compare-pair-b"
          value={b}
          onChange={(e) => setB(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn-small"
          disabled={!canPair}
          data-testid="compare-pair-submit"
        >
          Pair
        </button>
      </form>
      {suggestions.length > 0 ? (
        <div className="cmp-suggest" data-testid="compare-suggestions">
          <span className="muted small">Likely the same app on both platforms:</span>
          {suggestions.map((s) => (
            <button
              key={`${s.a}|${s.b}`}
              type="button"
              className="btn btn-small"
              disabled={busy}
              data-testid="compare-suggestion"
              title={`Pair ${s.a} and ${s.b} (${s.reason === 'catalog' ? 'the built-in app catalog lists both' : 'same name on both platforms'})`}
              onClick={() => void run(s.a, s.b, false)}
            >
              {s.name}: {s.a} = {s.b}
            </button>
          ))}
        </div>
      ) : null}
    </section>
  );
});
