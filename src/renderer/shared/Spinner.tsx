interface Props {
  label?: string;
}

/** A small inline loading indicator. */
export function Spinner({ label = 'Loading…' }: Props) {
  return (
    <span className="spinner" role="status" data-testid="loading">
      <span className="spinner-dot" aria-hidden="true" />
      <span className="spinner-label">{label}</span>
    </span>
  );
}
