import { useState } from 'react';
import type { Device } from '../../../contract/api';
import { noSessionsNote } from '../../../contract/compare-change';
import type { DayWindow } from '../../../contract/filter';
import { ClockInput } from '../../shared/ClockInput';
import { DateInput } from '../../shared/DateInput';
import { formatClock, parseClock } from '../../shared/time-format';
import { PlatformBadge } from '../devices/PlatformBadge';
import { splitAt, type CompareMode, type PeriodDraft } from './compare-model';

interface Props {
  mode: CompareMode;
  onModeChange: (mode: CompareMode) => void;
  devices: Device[];
  picked: number[];
  onPickedChange: (ids: number[]) => void;
  /** Access sessions per device, once known: a device without any is not compared by default. */
  sessions: ReadonlyMap<number, number> | null;
  /** Devices whose sources all come from a backup. */
  backupOnly: ReadonlySet<number>;
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
          {devices.map((d) => {
            const empty = props.sessions !== null && (props.sessions.get(d.id) ?? 0) === 0;
            return (
              <label key={d.id} title={empty ? noSessionsNote(d.label) : undefined}>
                <input
                  type="checkbox"
                  data-testid="compare-device"
                  data-device={d.label}
                  data-no-sessions={empty ? 'true' : undefined}
                  checked={picked.includes(d.id)}
                  onChange={() => togglePicked(d.id)}
                />
                {d.label} <PlatformBadge platform={d.platform} />
                {empty ? (
                  <span className="cmp-excluded" data-testid="compare-device-excluded">
                    {props.backupOnly.has(d.id)
                      ? 'backup only, no access log: not compared by default'
                      : 'no access sessions: not compared by default'}
                  </span>
                ) : null}
              </label>
            );
          })}
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
            <DateInput
              className="input input-small"
              label="Split date (device-local)"
              testId="compare-split-date"
              value={splitDate}
              onChange={setSplitDate}
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
              <DateInput
                className="input input-small"
                label={`Period ${i + 1} from (inclusive)`}
                testId="compare-period-from"
                value={p.from}
                onChange={(from) => setPeriod(i, { from })}
              />
              <span aria-hidden="true">→</span>
              <DateInput
                className="input input-small"
                label={`Period ${i + 1} to (exclusive)`}
                testId="compare-period-to"
                value={p.to}
                onChange={(to) => setPeriod(i, { to })}
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

      <NightFields night={props.night} onChange={props.onNightChange} />
    </div>
  );
}

/** The night window as two 24-hour fields; a valid edge is applied when the field is left. */
function NightFields({
  night,
  onChange,
}: {
  night: DayWindow;
  onChange: (night: DayWindow) => void;
}) {
  const [from, setFrom] = useState(night.from);
  const [to, setTo] = useState(night.to);
  const commit = (edge: 'from' | 'to', text: string): void => {
    const minutes = parseClock(text, true);
    if (minutes === null) return;
    const clock = formatClock(minutes);
    if (edge === 'from') setFrom(clock);
    else setTo(clock);
    if (clock !== night[edge]) onChange({ ...night, [edge]: clock });
  };
  return (
    <div className="cmp-night small" role="group" aria-label="Night window (device-local)">
      <span>Night</span>
      <ClockInput
        className="input input-small"
        label="Night from"
        testId="compare-night-from"
        value={from}
        endOfDay
        onChange={setFrom}
        onCommit={() => commit('from', from)}
      />
      <span aria-hidden="true">–</span>
      <ClockInput
        className="input input-small"
        label="Night to"
        testId="compare-night-to"
        value={to}
        endOfDay
        onChange={setTo}
        onCommit={() => commit('to', to)}
      />
      <span className="muted">24-hour, device-local</span>
    </div>
  );
}
