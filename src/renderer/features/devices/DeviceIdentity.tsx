import type { Device } from '../../../contract/api';
import { offsetLabel } from '../../shared/format';
import { hasIdentifiers, identityRows, osVersionLabel, platformLabel } from './device-identity';
import './devices.css';

interface Props {
  device: Device;
  unmasked: boolean;
}

function NoIdentifiers({ platform }: { platform: Device['platform'] }) {
  switch (platform) {
    case 'android':
      return (
        <>
          No identifiers recorded: the capture held no <span className="mono">getprop</span> serial
          (<span className="mono">ro.serialno</span>).
        </>
      );
    case 'ios':
    case 'unknown':
      return (
        <>
          No identifiers recorded: App Privacy Report exports do not name the phone. Importing an
          iPhone backup for this device fills them in.
        </>
      );
    default: {
      const never: never = platform;
      return never;
    }
  }
}

/** A device's platform, model, OS, zone and identifiers (masked unless the examiner unmasks). */
export function DeviceIdentity({ device, unmasked }: Props) {
  const any = hasIdentifiers(device);
  return (
    <div
      className="device-identity"
      data-testid="device-identifiers"
      data-masked={unmasked ? 'false' : 'true'}
      data-platform={device.platform}
    >
      <dl className="device-identity-grid">
        <div className="device-identity-item">
          <dt>Platform</dt>
          <dd data-testid="device-platform">{platformLabel(device.platform)}</dd>
        </div>
        <div className="device-identity-item">
          <dt>Model</dt>
          <dd data-testid="device-model">{device.model ?? '—'}</dd>
        </div>
        <div className="device-identity-item">
          <dt>{osVersionLabel(device.platform)}</dt>
          <dd data-testid="device-os-version">{device.osVersion ?? '—'}</dd>
        </div>
        <div className="device-identity-item">
          <dt>Time zone</dt>
          <dd>
            {device.timeZone ?? '—'}
            {device.offsetMin !== null ? (
              <span className="muted small"> · latest record {offsetLabel(device.offsetMin)}</span>
            ) : null}
          </dd>
        </div>
        {any
          ? identityRows(device, unmasked).map((r) => (
              <div key={r.key} className="device-identity-item">
                <dt>{r.label}</dt>
                <dd className="mono" data-testid="device-identifier" data-identifier={r.key}>
                  {r.value ?? <span className="muted">not recorded</span>}
                </dd>
              </div>
            ))
          : null}
      </dl>
      {any ? null : (
        <p className="muted small device-identity-none">
          <NoIdentifiers platform={device.platform} />
        </p>
      )}
    </div>
  );
}
