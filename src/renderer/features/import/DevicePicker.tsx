import { useState } from 'react';
import type { Device } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useCase } from '../../app/workspace/use-workspace';
import { ErrorBanner } from '../../shared/ErrorBanner';

interface Props {
  value: number | null;
  onChange: (deviceId: number | null) => void;
  /**
   * When given, a new device is only named here and the import creates it: `value` null then
   * means "a new device with this label", and there is no Create button.
   */
  newDevice?: { label: string; onLabelChange: (label: string) => void; hint?: string };
}

/** What the two forms of the picker are given: the case's devices beside the props. */
type WithDevices = Props & { devices: Device[] };

const NEW = 'new';

/** Choose the device an import belongs to, or create one by label. */
export function DevicePicker({ value, onChange, newDevice }: Props) {
  const { devices } = useCase();
  if (newDevice) {
    return (
      <DeviceOrLabel devices={devices} value={value} onChange={onChange} newDevice={newDevice} />
    );
  }
  return <DeviceOrCreate devices={devices} value={value} onChange={onChange} />;
}

/** A device of the case, or the label of a new one that the import will create. */
function DeviceOrLabel({
  devices,
  value,
  onChange,
  newDevice,
}: WithDevices & { newDevice: NonNullable<Props['newDevice']> }) {
  return (
    <fieldset className="fieldset">
      <legend>Device</legend>
      {devices.length > 0 ? (
        <select
          className="input"
          data-testid="import-device-select"
          aria-label="Device"
          value={value === null ? NEW : String(value)}
          onChange={(e) => onChange(e.target.value === NEW ? null : Number(e.target.value))}
        >
          <option value={NEW}>A new device…</option>
          {devices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
              {d.model ? ` (${d.model})` : ''} — {d.sources} source{d.sources === 1 ? '' : 's'}
            </option>
          ))}
        </select>
      ) : null}
      {value === null ? (
        <label className="stack">
          <span className="small">Name of the new device</span>
          <input
            className="input"
            data-testid="new-device-label"
            maxLength={200}
            value={newDevice.label}
            onChange={(e) => newDevice.onLabelChange(e.target.value)}
          />
        </label>
      ) : null}
      {newDevice.hint ? <p className="muted small">{newDevice.hint}</p> : null}
    </fieldset>
  );
}

function DeviceOrCreate({ devices, value, onChange }: WithDevices) {
  const { client, invalidate } = useApp();
  const [creating, setCreating] = useState(devices.length === 0);
  const [label, setLabel] = useState('');
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [working, setWorking] = useState(false);

  const create = async (): Promise<void> => {
    const trimmed = label.trim();
    if (trimmed.length === 0) return;
    setWorking(true);
    const r = await client.call('createDevice', { label: trimmed });
    setWorking(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    setLabel('');
    setCreating(false);
    onChange(r.value.id);
    invalidate();
  };

  const showForm = creating || devices.length === 0;

  return (
    <fieldset className="fieldset">
      <legend>Device</legend>
      {devices.length > 0 ? (
        <select
          className="input"
          data-testid="import-device-select"
          aria-label="Device"
          value={showForm ? NEW : value === null ? '' : String(value)}
          onChange={(e) => {
            if (e.target.value === NEW) {
              setCreating(true);
              onChange(null);
            } else {
              setCreating(false);
              onChange(e.target.value === '' ? null : Number(e.target.value));
            }
          }}
        >
          <option value="">Choose a device…</option>
          {devices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
              {d.model ? ` (${d.model})` : ''} — {d.sources} source{d.sources === 1 ? '' : 's'}
            </option>
          ))}
          <option value={NEW}>New device…</option>
        </select>
      ) : (
        <p className="muted small">
          This case has no devices yet. Name the phone these exports come from.
        </p>
      )}
      {showForm ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <input
            className="input grow"
            data-testid="new-device-label"
            aria-label="New device label"
            placeholder="e.g. Subject's iPhone"
            maxLength={200}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <button
            type="submit"
            className="btn"
            data-testid="create-device"
            disabled={working || label.trim() === ''}
          >
            Create device
          </button>
        </form>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </fieldset>
  );
}
