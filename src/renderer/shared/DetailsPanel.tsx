import type { ComponentProps, ReactNode } from 'react';
import { ErrorBanner } from './ErrorBanner';
import { Spinner } from './Spinner';

interface Props {
  /** The panel's accessible name, e.g. "Session details". */
  label: string;
  title: string;
  testId: string;
  /** Extra `data-*` attributes naming what is shown (e.g. `data-session-id`). */
  data: Record<`data-${string}`, string>;
  error: ComponentProps<typeof ErrorBanner>['error'];
  loading: boolean;
  onClose: () => void;
  /** The body, once loaded; null while loading or after an error. */
  children: ReactNode | null;
}

/** The side panel that shows one session or record: title, close button, error, spinner, body. */
export function DetailsPanel(props: Props) {
  return (
    <aside className="details" data-testid={props.testId} aria-label={props.label} {...props.data}>
      <header className="details-head">
        <h2>{props.title}</h2>
        <button
          type="button"
          className="btn-icon"
          aria-label="Close details"
          data-testid="details-close"
          onClick={props.onClose}
        >
          ×
        </button>
      </header>
      <ErrorBanner error={props.error} />
      {props.children === null ? (
        props.loading ? (
          <Spinner />
        ) : null
      ) : (
        <div className="details-body">{props.children}</div>
      )}
    </aside>
  );
}
