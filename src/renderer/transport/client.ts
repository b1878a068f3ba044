import type { ApiMethod, ApiOutput, ApiRawInput } from '../../contract/api';
import type { SnoopscopeBridge } from '../../contract/bridge';
import type { BridgeEventName, BridgeEvents } from '../../contract/events';
import { err, type Result } from '../../contract/result';
import type { Activity } from '../app/activity';
import { electronBridge } from './electron';
import { createHttpBridge, resolveToken } from './http';

export type TransportKind = 'electron' | 'http';

/** The typed bridge client every feature uses. */
export interface Client {
  readonly kind: TransportKind;
  call<M extends ApiMethod>(method: M, args: ApiRawInput<M>): Promise<Result<ApiOutput<M>>>;
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void;
  /** The path of a dropped file, or null where the host cannot tell (a plain browser). */
  pathForFile(file: File): string | null;
}

/** Wraps a bridge: every call counts as activity and a thrown error becomes an error result. */
export function createClient(
  bridge: SnoopscopeBridge,
  kind: TransportKind,
  activity: Activity | null,
): Client {
  return {
    kind,
    async call(method, args) {
      const end = activity?.begin();
      try {
        return await bridge.invoke(method, args);
      } catch (e) {
        return err('INTERNAL', e instanceof Error ? e.message : String(e));
      } finally {
        end?.();
      }
    },
    on(event, listener) {
      return bridge.on(event, listener);
    },
    pathForFile(file) {
      if (!bridge.pathForFile) return null;
      try {
        const path = bridge.pathForFile(file);
        return path.length > 0 ? path : null;
      } catch {
        return null;
      }
    },
  };
}

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Picks the Electron preload bridge when present, else the dev server over HTTP. */
export function createDefaultClient(activity: Activity): Client {
  const electron = electronBridge();
  if (electron) return createClient(electron, 'electron', activity);
  const token = resolveToken(window.location.search, sessionStore());
  return createClient(createHttpBridge({ token }), 'http', activity);
}
