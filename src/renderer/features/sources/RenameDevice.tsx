import { useState } from 'react';
import type { Device } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { ErrorBanner } from '../../shared/ErrorBanner';

/** Renames a device in place. */
export function RenameDevice({ device, onDone }: { device: Device; onDone: () => void }) {
  const { client, invalidate } = useApp();
  const [label, setLabel] = useState(device.label);
  const [error, setError] = useState<AppErrorShape | null>(null);
  return (
    <form
      className="row row-tight"
      onSubmit={(e) => {
        e.preventDefault();
        void client.call('renameDevice', { deviceId: device.id, label: label.trim() }).then((r) => {
          if (!r.ok) setError(r.error);
          else {
            invalidate();
            onDone();
          }
        });
      }}
    >
      <input
        className="input input-small"
        aria-label="Device label"
        value={label}
        maxLength={200}
        autoFocus
        onChange={(e) => setLabel(e.target.value)}
      />
      <button type="submit" className="btn btn-small btn-primary" disabled={label.trim() === ''}>
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
