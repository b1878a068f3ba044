import type { ReactNode } from 'react';

interface Props {
  children: ReactNode;
  tone?: 'info' | 'warning' | 'success';
  onDismiss?: () => void;
  testId?: string;
}

/** An informational banner. */
export function Notice({ children, tone = 'info', onDismiss, testId }: Props) {
  return (
    <div className={`banner banner-${tone}`} role="status" data-testid={testId}>
      <div className="banner-body">{children}</div>
      {onDismiss ? (
        <button type="button" className="btn-icon" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}
