import type { AppErrorShape } from '../../contract/result';

interface Props {
  error: AppErrorShape | string | null;
  title?: string;
  onDismiss?: () => void;
}

/** A visible error with the code and message the bridge returned. */
export function ErrorBanner({ error, title, onDismiss }: Props) {
  if (error === null) return null;
  const code = typeof error === 'string' ? null : error.code;
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div
      className="banner banner-error"
      role="alert"
      data-testid="error-banner"
      data-error-code={code ?? undefined}
    >
      <div className="banner-body">
        {title ? <strong>{title}: </strong> : null}
        {message}
        {code ? <span className="banner-code">{code}</span> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="btn-icon" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}
