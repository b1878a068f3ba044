import type { ApiMethod, ApiOutput, ApiRawInput } from './api';
import type { BridgeEventName, BridgeEvents } from './events';
import type { Result } from './result';

/** The IPC channel names used between preload and main. */
export const INVOKE_CHANNEL = 'snoopscope:invoke';
export const EVENT_CHANNEL = 'snoopscope:event';

/** What the preload exposes as `window.snoopscope`, and what the HTTP transport mimics. */
export interface SnoopscopeBridge {
  invoke<M extends ApiMethod>(method: M, args: ApiRawInput<M>): Promise<Result<ApiOutput<M>>>;
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void;
  /** The file-system path of a dropped file (desktop app only). */
  pathForFile?(file: File): string;
}

/** The envelope of an event sent over the event channel or the dev server's event stream. */
export interface EventEnvelope {
  event: BridgeEventName;
  payload: unknown;
}
