import type { Platform } from '../../../contract/records';
import { platformLabel } from './device-identity';
import './devices.css';

interface Props {
  platform: Platform;
}

/** A small `iOS` / `Android` tag beside a device name; nothing when the platform is unknown. */
export function PlatformBadge({ platform }: Props) {
  if (platform === 'unknown') return null;
  return (
    <span
      className={`platform-badge platform-badge-${platform}`}
      data-testid="platform-badge"
      data-platform={platform}
      title={`${platformLabel(platform)} device`}
    >
      {platformLabel(platform)}
    </span>
  );
}
