import type { Device } from '../../../contract/api';
import { useQuery } from '../../app/use-query';
import { NO_DATA_LABEL } from '../../shared/NoDataLegend';
import { formatDuration } from '../../shared/format';
import { bandTracks, hasDeviceState } from './device-state-bands';
import type { Viewport } from './time-window';
import './device-state-bands.css';

interface Props {
  deviceIds: readonly number[];
  devices: readonly Device[];
  viewport: Viewport;
}

/**
 * Under the lanes, one row per device whose own logs (PowerLog, usagestats) record its state in
 * the view: when the screen was off and when it was locked, drawn only inside the windows those
 * logs cover; elsewhere the row is hatched as no data.
 */
export function DeviceStateBands({ deviceIds, devices, viewport }: Props) {
  const q = useQuery(
    'queryDeviceStates',
    deviceIds.length > 0
      ? {
          deviceIds: [...deviceIds].slice(0, 500),
          fromMs: Math.floor(viewport.fromMs),
          toMs: Math.ceil(viewport.toMs),
        }
      : null,
  );
  const rows = (q.data ?? []).filter(hasDeviceState);
  if (rows.length === 0) return null;
  const labels = new Map(devices.map((d) => [d.id, d.label]));
  return (
    <div className="device-state-rows" data-testid="device-state-bands">
      {rows.map((d) => (
        <div className="tl-row device-state-row" key={d.deviceId} data-device-id={d.deviceId}>
          <div className="tl-caption small">
            Device state · {labels.get(d.deviceId) ?? `device ${d.deviceId}`}
          </div>
          <div className="tl-plot">
            {bandTracks(d, viewport).map((t) => (
              <div
                key={t.kind}
                className="device-state-track"
                style={{ width: viewport.width }}
                data-testid={`device-state-track-${t.kind}`}
                title={t.label}
              >
                <span className="device-state-track-label small">{t.label}</span>
                {t.gaps.map((g) => (
                  <span
                    key={`gap-${g.fromMs}`}
                    className="device-state-gap"
                    data-testid="device-state-gap"
                    style={{ left: g.left, width: g.width }}
                    title={`${t.label}: ${NO_DATA_LABEL} — no device-state record covers this stretch`}
                  />
                ))}
                {t.bands.map((b) => (
                  <span
                    key={`band-${b.fromMs}`}
                    className={`device-state-band device-state-${t.kind}`}
                    data-testid="device-state-band"
                    data-kind={t.kind}
                    data-from-ms={b.fromMs}
                    data-to-ms={b.toMs}
                    style={{ left: b.left, width: b.width }}
                    title={`${t.label} for ${formatDuration(b.toMs - b.fromMs)} (${b.basis === 'powerlog' ? 'PowerLog' : b.basis})`}
                  />
                ))}
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
