import { Component, type ReactNode } from 'react';

interface Props {
  /** Which view this guards, for the message. */
  name: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Keeps a view's rendering error inside the view: the rest of the window (filters, other tabs,
 * the case) keeps working, and the examiner sees what failed instead of a blank window.
 */
export class ViewBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    console.error(`[snoopscope] ${this.props.name} failed to render`, error);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="banner banner-warning" role="alert" data-testid="view-error">
        <strong>{this.props.name} could not be shown.</strong> {this.state.error.message}{' '}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => this.setState({ error: null })}
        >
          Try again
        </button>
      </div>
    );
  }
}
