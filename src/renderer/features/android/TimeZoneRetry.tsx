import { useState } from 'react';
import { plural } from '../../shared/format';
import { baseName } from '../import/import-format';
import { checkTimeZone } from './time-zones';
import { TimeZoneField } from './TimeZoneField';
import './android.css';

interface Props {
  /** The captures refused for their missing time zone. */
  paths: string[];
  onRetry: (timeZone: string) => void;
}

/**
 * Shown under an import whose Android captures were refused because they do not record the
 * phone's time zone: takes the zone and imports those captures again with it.
 */
export function TimeZoneRetry({ paths, onRetry }: Props) {
  const [zone, setZone] = useState('');
  const check = checkTimeZone(zone, true);
  return (
    <form
      className="zone-retry"
      data-testid="timezone-retry"
      aria-label="Give the time zone and import again"
      onSubmit={(e) => {
        e.preventDefault();
        if (check.ok && check.zone !== undefined) onRetry(check.zone);
      }}
    >
      <div>
        <strong>Give the time zone and import again.</strong>{' '}
        {paths.length === 1 ? (
          <>
            <span className="mono">{baseName(paths[0] ?? '')}</span> does not record the phone’s
            time zone, so its times cannot be placed on the phone’s clock.
          </>
        ) : (
          `${plural(paths.length, 'capture')} do not record the phone’s time zone, so their times cannot be placed on the phone’s clock.`
        )}{' '}
        Snoopscope does not guess it: give the zone the phone was set to (on the phone: Settings ›
        System › Date &amp; time).
      </div>
      <div className="zone-retry-row">
        <TimeZoneField
          value={zone}
          onChange={setZone}
          label="Phone’s time zone (IANA name)"
          required
          testId="timezone-retry-input"
          autoFocus
        />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="timezone-retry-submit"
          disabled={!check.ok}
        >
          Import again
        </button>
      </div>
    </form>
  );
}
