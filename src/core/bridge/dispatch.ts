import { api, type ApiHandlers, type ApiMethod } from '../../contract/api';
import { err, ok, type Result } from '../../contract/result';
import { AppError } from '../model/errors';

export type Logger = (message: string, error?: unknown) => void;

const defaultLogger: Logger = (message, error) => {
  console.error(message, error instanceof Error ? error.stack : error);
};

/** True when `name` is a declared bridge method (own property of the contract). */
export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(api, name);
}

/**
 * Validates and runs one bridge call: allow-list, zod validation, call, `Result` envelope.
 * Known failures (AppError) keep their code; anything else is logged with its stack and
 * becomes INTERNAL without leaking details.
 */
export async function dispatch(
  handlers: ApiHandlers,
  method: unknown,
  rawArgs: unknown,
  log: Logger = defaultLogger,
): Promise<Result<unknown>> {
  if (!isApiMethod(method)) {
    return err('UNKNOWN_METHOD', `Unknown method: ${String(method).slice(0, 100)}`);
  }
  const schema = api[method];
  const parsed = schema.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
      .join('; ');
    return err('INVALID_INPUT', `Invalid input for ${method}: ${issues}`);
  }
  try {
    const handler = handlers[method] as (input: unknown) => unknown;
    const value = await handler(parsed.data);
    return ok(value);
  } catch (e) {
    if (e instanceof AppError) return err(e.code, e.message);
    log(`Unexpected error in ${method}`, e);
    return err('INTERNAL', `Internal error in ${method}; see the log for details.`);
  }
}
