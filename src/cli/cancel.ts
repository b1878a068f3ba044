import { say, type CommandContext } from './context';

/**
 * Runs `fn` with a cancel signal: the caller's, or one that SIGINT aborts after saying `message`
 * (a second SIGINT exits at once).
 */
export async function withCancelSignal<T>(
  ctx: CommandContext,
  message: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (ctx.signal) return fn(ctx.signal);
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    say(ctx, `${message} (press Ctrl-C again to quit at once).`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
