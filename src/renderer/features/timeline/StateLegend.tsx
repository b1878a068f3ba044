import type { StateMarkKind } from './state-mark';
import './state-marks.css';

interface Props {
  kinds: ReadonlySet<StateMarkKind>;
}

/** Key of the background bands on screen: solid when Android reported it, dashed when inferred. */
export function StateLegend({ kinds }: Props) {
  if (kinds.size === 0) return null;
  return (
    <ul className="legend" aria-label="App state marks" data-testid="state-legend">
      <li className="muted">Background:</li>
      {kinds.has('reported') ? (
        <li data-kind="reported">
          <span className="state-swatch state-swatch-reported" aria-hidden="true" />
          reported by Android
        </li>
      ) : null}
      {kinds.has('inferred') ? (
        <li data-kind="inferred">
          <span className="state-swatch state-swatch-inferred" aria-hidden="true" />
          inferred from usage records
        </li>
      ) : null}
    </ul>
  );
}
