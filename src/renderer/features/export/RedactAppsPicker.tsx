import { useMemo } from 'react';
import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { mergeApps } from '../filters/app-options';

interface Props {
  picked: readonly string[];
  onToggle: (identifier: string) => void;
  /** App identifiers typed, comma-separated. */
  typed: string;
  onTyped: (text: string) => void;
  disabled: boolean;
}

/** The apps of the case to redact in a bundle: ticked from the list, or typed. */
export function RedactAppsPicker({ picked, onToggle, typed, onTyped, disabled }: Props) {
  const apps = useQuery('listApps', {});
  const appOptions = useMemo(() => mergeApps(apps.data ?? []), [apps.data]);
  return (
    <>
      {apps.loading && apps.data === null ? <Spinner label="Loading apps…" /> : null}
      <ErrorBanner error={apps.error} title="Apps" />
      {appOptions.length > 0 ? (
        <div className="bundle-apps" role="group" aria-label="Apps to redact">
          {appOptions.map((a) => (
            <label key={a.identifier}>
              <input
                type="checkbox"
                data-testid="bundle-app"
                data-app={a.identifier}
                checked={picked.includes(a.identifier)}
                disabled={disabled}
                onChange={() => onToggle(a.identifier)}
              />
              <span>
                {a.name ?? a.identifier}
                {a.name ? <span className="muted mono small"> {a.identifier}</span> : null}
              </span>
            </label>
          ))}
        </div>
      ) : null}
      <div className="bundle-apps-typed">
        <label htmlFor="bundle-apps-typed" className="small">
          Or type app identifiers, comma-separated
        </label>
        <input
          id="bundle-apps-typed"
          className="input mono"
          data-testid="bundle-apps-typed"
          placeholder="com.example.app, com.other.app"
          value={typed}
          disabled={disabled}
          onChange={(e) => onTyped(e.target.value)}
        />
      </div>
    </>
  );
}
