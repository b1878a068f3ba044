import type { IpcRenderer, WebUtils } from 'electron';
import type { ApiMethod, ApiOutput, ApiRawInput } from '../contract/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type SnoopscopeBridge } from '../contract/bridge';
import { BRIDGE_EVENTS, type BridgeEventName, type BridgeEvents } from '../contract/events';
import type { Result } from '../contract/result';

/** The parts of ipcRenderer the bridge uses. */
export type BridgeIpc = Pick<IpcRenderer, 'invoke' | 'on'>;

function isBridgeEvent(name: unknown): name is BridgeEventName {
  return typeof name === 'string' && (BRIDGE_EVENTS as readonly string[]).includes(name);
}

/**
 * Builds `window.snoopscope`: `invoke` forwards one call over the invoke channel, `on`
 * subscribes to one declared event and hands the listener the payload alone (never the
 * IpcRendererEvent, which would expose `sender`), `pathForFile` names a dropped file.
 */
export function createBridge(
  ipc: BridgeIpc,
  files: Pick<WebUtils, 'getPathForFile'>,
): SnoopscopeBridge {
  const listeners = new Map<BridgeEventName, Set<(payload: unknown) => void>>();

  // One IPC listener for all subscriptions, so subscribing never grows ipcRenderer's listener list.
  ipc.on(EVENT_CHANNEL, (_event, envelope: unknown) => {
    if (typeof envelope !== 'object' || envelope === null) return;
    const { event, payload } = envelope as { event?: unknown; payload?: unknown };
    if (!isBridgeEvent(event)) return;
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`Listener for ${event} failed`, error);
      }
    }
  });

  return {
    invoke<M extends ApiMethod>(method: M, args: ApiRawInput<M>): Promise<Result<ApiOutput<M>>> {
      return ipc.invoke(INVOKE_CHANNEL, method, args) as Promise<Result<ApiOutput<M>>>;
    },

    on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEvents[E]) => void) {
      if (!isBridgeEvent(event)) {
        throw new TypeError(`Unknown bridge event: ${String(event).slice(0, 100)}`);
      }
      if (typeof listener !== 'function') {
        throw new TypeError(`The listener for ${event} must be a function`);
      }
      const wrapped = (payload: unknown) => listener(payload as BridgeEvents[E]);
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(wrapped);
      return () => {
        listeners.get(event)?.delete(wrapped);
      };
    },

    pathForFile(file: File): string {
      return files.getPathForFile(file);
    },
  };
}
