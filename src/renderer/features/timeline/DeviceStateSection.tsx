import type { DeviceState } from '../../../contract/records';
import {
  basisText,
  deviceStateSentence,
  deviceStateUnknown,
  foregroundText,
  locatorText,
} from './device-state-text';

/** The device's own state at an access's start, as its logs recorded it, with the rows. */
export function DeviceStateSection({ state }: { state: DeviceState | undefined }) {
  const unknown = deviceStateUnknown(state);
  return (
    <section className="device-state" data-testid="details-device-state" aria-label="Device state">
      <h3>Device state</h3>
      <p data-testid="details-device-state-sentence" data-known={unknown ? 'no' : 'yes'}>
        {deviceStateSentence(state)}
      </p>
      {state === undefined || unknown ? null : (
        <>
          <dl className="kv">
            <dt>Screen</dt>
            <dd data-testid="details-device-state-screen">{state.screen ?? 'unknown'}</dd>
            <dt>Locked</dt>
            <dd data-testid="details-device-state-locked">
              {state.locked === null ? 'unknown' : state.locked ? 'yes' : 'no'}
            </dd>
            <dt>In front</dt>
            <dd className="mono break">
              {state.foregroundApp === null ? 'unknown' : foregroundText(state.foregroundApp)}
            </dd>
            <dt>Basis</dt>
            <dd>{basisText(state.basis)}</dd>
            <dt>Rows</dt>
            <dd className="mono small break">
              {state.sources.map((s) => (
                <div key={`${s.sourceId}-${s.locator}`}>
                  source {s.sourceId}: {locatorText(s.locator)}
                </div>
              ))}
            </dd>
          </dl>
          <p className="muted small">
            As the device logged it at the start of the access. It does not say who held the device
            or whether anyone was looking at it.
          </p>
        </>
      )}
    </section>
  );
}
