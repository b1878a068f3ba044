import { useState } from 'react';
import type { Device } from '../../../contract/api';
import type { DayWindow } from '../../../contract/filter';
import { PlatformBadge } from '../devices/PlatformBadge';
import { splitAt, type CompareMode, type PeriodDraft } from './compare-model';

interface Props {
  mode: CompareMode;
  onModeChange: (mode: CompareMode) => void;
  devices: Device[];
  picked: number[];
  onPickedChange: (ids: number[]) => void;
  periods: PeriodDraft[];
  onPeriodsChange: (periods: PeriodDraft[]) => void;
  night: DayWindow;
  onNightChange: (night: DayWindow) => void;
}

/** What to compare: devices, or periods of a device (quickly: before and after a date). */
export function ColumnPicker(props: Props) {
  const { mode, devices, picked, periods } = props;
  const [splitDevice, setSplitDevice] = useState<number>(devices[0]?.id ?? 0);
  const [splitDate, setSplitDate] = useState('');

  const togglePicked = (id: number): void =>
    props.onPickedChange(picked.includes(id) ? picked.filter((x) => x !== id) : [...picked, id]);
  const setPeriod = (i: number, patch: Partial<PeriodDraft>): void =>
    props.onPeriodsChange(periods.map((p, k) => (k === i ? { ...p, ...patch } : p)));

  return (
    <div className="cmp-picker" data-testid="compare-picker">
      <div className="btn-group" role="group" aria-label="Compare">
        <button
          type="button"
          className={mode === 'devices' ? 'btn btn-small btn-on' : 'btn btn-small'}
          aria-pressed={mode === 'devices'}
          data-testid="compare-mode-devices"
          onClick={() => props.onModeChange('devices')}
        >
          Devices
        </button>
        <button
          type="button"
          className={mode === 'periods' ? 'btn btn-small btn-on' : 'btn btn-small'}
          aria-pressed={mode === 'periods'}
          data-testid="compare-mode-periods"
          onClick={() => props.onModeChange('periods')}
        >
          Periods of one device
        </button>
      </div>

      {mode === 'devices' ? (
        <fieldset className="cmp-devices">
          <legend className="sr-only">Devices to compare</legend>
          {devices.map((d) => (
            <label key={d.id}>
              <input
                type="checkbox"
                data-testid="compare-device"
                data-device={d.label}
                checked={picked.includes(d.id)}
                onChange={() => togglePicked(d.id)}
              />
              {d.label} <PlatformBadge platform={d.platform} />
            </label>
          ))}
        </fieldset>
      ) : (
        <div className="cmp-periods">
          <form
            className="cmp-split"
            onSubmit={(e) => {
              e.preventDefault();
              if (splitDate) props.onPeriodsChange(splitAt(splitDevice, splitDate));
            }}
          >
            <label>
              Before and after a date:{' '}
              <select
                className="input input-small"
                aria-label="Device to split"
                data-testid="compare-split-device"
                value={splitDevice}
                onChange={(e) => setSplitDevice(Number(e.target.value))}
              >
                {devices.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </select>
            </label>
            <input
              type="date"
              className="input input-small"
              aria-label="Split date (device-local)"
              data-testid="compare-split-date"
              value={splitDate}
              onChange={(e) => setSplitDate(e.target.value)}
            />
            <button
              type="submit"
              className="btn btn-small"
              disabled={!splitDate}
              data-testid="compare-split"
            >
              Split
            </button>
          </form>
          {periods.map((p, i) => (
            <div className="cmp-period" key={i} data-testid="compare-period">
              <select
                className="input input-small"
                aria-label={`Period ${i + 1} device`}
                value={p.deviceId}
                onChange={(e) => setPeriod(i, { deviceId: Number(e.target.value) })}
              >
                {devices.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </select>
              <input
                type="date"
                className="input input-small"
                aria-label={`Period ${i + 1} from (inclusive)`}
                data-testid="compare-period-from"
                value={p.from}
                onChange={(e) => setPeriod(i, { from: e.target.value })}
              />
              <span aria-hidden="true">→</span>
              <input
                type="date"
                className="input input-small"
                aria-label={`Period ${i + 1} to (exclusive)`}
                data-testid="compare-period-to"
                value={p.to}
                onChange={(e) => setPeriod(i, { to: e.target.value })}
              />
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Remove period ${i + 1}`}
                onClick={() => props.onPeriodsChange(periods.filter((_, k) => k !== i))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="btn btn-small"
            data-testid="compare-add-period"
            disabled={periods.length >= 12}
            onClick={() =>
              props.onPeriodsChange([
                ...periods,
                { deviceId: periods.at(-1)?.deviceId ?? splitDevice, from: '', to: '' },
              ])
            }
          >
            Add period
          </button>
          <span className="muted small">
            Dates are device-local days; a period ends before its “to” day. Empty: open-ended.
          </span>
        </div>
      )}

      <label className="cmp-night small">
        Night{' '}
        <input
          type="time"
          className="input input-small"
          aria-label="Night from"
          data-testid="compare-night-from"
          value={props.night.from}
          onChange={(e) =>
            e.target.value && props.onNightChange({ ...props.night, from: e.target.value })
          }
        />
        –
        <input
          type="time"
          className="input input-small"
          aria-label="Night to"
          data-testid="compare-night-to"
          value={props.night.to}
          onChange={(e) =>
            e.target.value && props.onNightChange({ ...props.night, to: e.target.value })
          }
        />
      </label>
    </div>
  );
}
