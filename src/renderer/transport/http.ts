import type { ApiMethod, ApiOutput, ApiRawInput } from '../../contract/api';
import type { EventEnvelope, SnoopscopeBridge } from '../../contract/bridge';
import { BRIDGE_EVENTS, type BridgeEventName, type BridgeEvents } from '../../contract/events';
import { ERROR_CODES, err, type ErrorCode, type Result } from '../../contract/result';

export const TOKEN_STORAGE_KEY = 'snoopscope.devserver-token';
export const TOKEN_HEADER = 'x-snoopscope-token';

type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Reads the dev-server token from the page query (`?token=`), remembering it in storage.
 * A reload without the query falls back to the stored token.
 */
export function resolveToken(search: string, storage: TokenStorage | null): string | null {
  const fromUrl = new URLSearchParams(search).get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token from the URL still works for this page.
    }
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that a response body is a `Result` envelope; anything else becomes an error result. */
export function parseResultBody(body: unknown): Result<unknown> {
  if (!isRecord(body) || typeof body.ok !== 'boolean') {
    return err('INTERNAL', 'The server answered with something that is not a result.');
  }
  if (body.ok) return { ok: true, value: body.value ?? null };
  const error = body.error;
  if (!isRecord(error)) return err('INTERNAL', 'The server reported an error without details.');
  const code = isErrorCode(error.code) ? error.code : 'INTERNAL';
  const message = typeof error.message === 'string' ? error.message : 'Unknown error';
  return err(code, message);
}

/** Parses one Server-Sent Events `data:` payload into an event envelope, or null. */
export function parseEnvelope(data: string): EventEnvelope | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.event !== 'string') return null;
  const name = parsed.event;
  const known = BRIDGE_EVENTS.find((e) => e === name);
  if (!known) return null;
  return { event: known, payload: parsed.payload };
}

export interface HttpBridgeOptions {
  token: string | null;
  /** Origin-relative base, '' for the page's own origin. */
  base?: string;
  fetchImpl?: typeof fetch;
  eventSourceImpl?: typeof EventSource;
}

type AnyListener = (payload: unknown) => void;

/** A bridge over the loopback dev server: POST /api/invoke and an SSE stream at /api/events. */
export function createHttpBridge(options: HttpBridgeOptions): SnoopscopeBridge {
  const base = options.base ?? '';
  const doFetch = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const listeners = new Map<BridgeEventName, Set<AnyListener>>();
  let source: EventSource | null = null;

  const ensureStream = (): void => {
    if (source || !options.token) return;
    const Impl =
      options.eventSourceImpl ?? (typeof EventSource === 'undefined' ? null : EventSource);
    if (!Impl) return;
    source = new Impl(`${base}/api/events?token=${encodeURIComponent(options.token)}`);
    source.onmessage = (message: MessageEvent<string>) => {
      const envelope = parseEnvelope(message.data);
      if (!envelope) return;
      for (const listener of listeners.get(envelope.event) ?? []) listener(envelope.payload);
    };
  };

  const invoke = async <M extends ApiMethod>(
    method: M,
    args: ApiRawInput<M>,
  ): Promise<Result<ApiOutput<M>>> => {
    if (!options.token) {
      return err(
        'IO_ERROR',
        'No dev-server token: open the address the dev server printed (…?token=…).',
      );
    }
    let response: Response;
    try {
      response = await doFetch(`${base}/api/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: options.token },
        body: JSON.stringify({ method, args }),
      });
    } catch (e) {
      return err(
        'IO_ERROR',
        `Cannot reach the dev server: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return err('IO_ERROR', `The dev server answered HTTP ${response.status} without a result.`);
    }
    // The envelope is checked here; the value's shape is the server's contract (api.ts).
    return parseResultBody(body) as Result<ApiOutput<M>>;
  };

  const on = <E extends BridgeEventName>(
    event: E,
    listener: (payload: BridgeEvents[E]) => void,
  ): (() => void) => {
    ensureStream();
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    // Payloads come from the same contract; the envelope names which one.
    const wrapped: AnyListener = (payload) => listener(payload as BridgeEvents[E]);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  };

  ensureStream();
  return { invoke, on };
}
