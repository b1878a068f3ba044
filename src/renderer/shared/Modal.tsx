import { useLayoutEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
}

/**
 * A modal dialog on the native `<dialog>` element (focus trap and Escape come with it). When it
 * closes, the focus goes back to what had it before the dialog opened.
 */
export function Modal({ title, onClose, children, footer, testId, wide = false }: Props) {
  const ref = useRef<HTMLDialogElement>(null);

  // A layout effect, so that the dialog closes while it is still in the page: closed after its
  // removal, it cannot hand the focus back and the focus falls to the page's body.
  useLayoutEffect(() => {
    const dialog = ref.current;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={wide ? 'modal modal-wide' : 'modal'}
      data-testid={testId}
      aria-labelledby={testId ? `${testId}-title` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="modal-header">
        <h2 id={testId ? `${testId}-title` : undefined}>{title}</h2>
        <button
          type="button"
          className="btn-icon"
          aria-label="Close"
          data-testid={testId ? `${testId}-close` : undefined}
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <div className="modal-body">{children}</div>
      {footer ? <footer className="modal-footer">{footer}</footer> : null}
    </dialog>
  );
}
