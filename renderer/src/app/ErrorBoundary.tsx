import { Component, type ErrorInfo, type ReactNode } from 'react';
import { api } from '../api';

interface Props {
  /** Which screen this guards, for the log and the message. */
  where: string;
  /** The screen's id: the e2e suite trips a real render failure in it by `window.__switchboardBreak = id`. */
  screen: string;
  onLeave: () => void;
  children: ReactNode;
}

interface State {
  error: Error | null;
  id: string | null;
}

/** Throws while drawing when the e2e suite asks it to: the one way to test the boundary in the built app. */
function Tripwire({ screen }: { screen: string }) {
  if ((window as { __switchboardBreak?: string | null }).__switchboardBreak === screen) throw new Error(`test break in ${screen}`);
  return null;
}

/**
 * A screen that fails to draw shows what failed and a way back, instead of taking the whole
 * window down; the error reaches the log with the details, under the id shown here.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, id: null };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    void api.system.reportError({ where: this.props.where, message: error.message, stack: `${error.stack ?? ''}\n${info.componentStack ?? ''}`.slice(0, 20_000) }).then((r) => {
      if (r.ok) this.setState({ id: r.value.id });
    });
  }

  override render(): ReactNode {
    const { error, id } = this.state;
    if (!error) {
      return (
        <>
          <Tripwire screen={this.props.screen} />
          {this.props.children}
        </>
      );
    }
    return (
      <div className="screen" role="alert" data-testid="screen-error">
        <h1>This screen stopped working</h1>
        <p>
          {this.props.where} hit an error: <code>{error.message}</code>
        </p>
        <p className="muted">{id ? `Error ${id}: the log has the details.` : 'Saving the details to the log…'}</p>
        <div className="row-actions">
          <button type="submit" onClick={() => this.setState({ error: null, id: null })}>
            Try again
          </button>
          <button onClick={this.props.onLeave}>Go to Sessions</button>
        </div>
      </div>
    );
  }
}
