import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ApiHandlers } from '../contract/api';
import { INVOKE_CHANNEL } from '../contract/bridge';
import { err, type Result } from '../contract/result';
import { dispatch as defaultDispatch, type Logger } from '../core/bridge/dispatch';

/** What the sender check needs to know about an invoke event. */
export type InvokeSender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** The WebContents of the app window, as far as the sender check needs it. */
export type AppContents = Pick<WebContents, 'id' | 'mainFrame'>;

/**
 * True when a bridge call comes from the main frame of the app's own window and that frame
 * shows the app's renderer. Calls from subframes, other windows or foreign pages are refused.
 */
export function isTrustedSender(
  event: InvokeSender,
  contents: AppContents | null,
  isAppUrl: (url: string) => boolean,
): boolean {
  if (!contents || event.sender.id !== contents.id) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const main = contents.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isAppUrl(frame.url);
}

export interface InvokeHandlerOptions {
  /** The app window's WebContents, or null while no window is open. */
  getContents(): AppContents | null;
  isAppUrl(url: string): boolean;
  /** Core and host handlers together: the whole bridge. */
  handlers: ApiHandlers;
  log: Logger;
  dispatch?: typeof defaultDispatch;
}

export type InvokeHandler = (
  event: InvokeSender,
  method: unknown,
  args: unknown,
) => Promise<Result<unknown>>;

/** Builds the one handler of the invoke channel: sender check, then `dispatch`. */
export function createInvokeHandler(options: InvokeHandlerOptions): InvokeHandler {
  const run = options.dispatch ?? defaultDispatch;
  return async (event, method, args) => {
    if (!isTrustedSender(event, options.getContents(), options.isAppUrl)) {
      const url = event.senderFrame?.url ?? '(no frame)';
      options.log(`Refused a bridge call to ${String(method).slice(0, 100)} from ${url}`);
      return err('FORBIDDEN', 'Bridge calls are accepted only from the Snoopscope window.');
    }
    return run(options.handlers, method, args, options.log);
  };
}

/** Registers the invoke handler on the single bridge channel. */
export function registerInvokeHandler(
  ipc: Pick<IpcMain, 'handle' | 'removeHandler'>,
  options: InvokeHandlerOptions,
): () => void {
  const handler = createInvokeHandler(options);
  ipc.handle(INVOKE_CHANNEL, (event, method: unknown, args: unknown) =>
    handler(event, method, args),
  );
  return () => ipc.removeHandler(INVOKE_CHANNEL);
}
