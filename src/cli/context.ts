import type { Writable } from 'node:stream';
import type { OutputWriter } from './output';

/** What a command needs from its surroundings: where data and messages go, and how to notice a cancel. */
export interface CommandContext {
  /** Data (JSON, CSV, JSON lines, tables), written with backpressure. */
  out: OutputWriter;
  /** Messages and progress. */
  stderr: Writable;
  /** True when stderr is a terminal: progress lines are shown. */
  stderrIsTTY: boolean;
  /** Aborted when the user cancels (SIGINT); undefined means the command installs its own SIGINT handler. */
  signal: AbortSignal | undefined;
  /** Asks for a secret on the terminal without echo; undefined when there is no terminal. */
  promptPassword?: (prompt: string) => Promise<string | null>;
  /** Each import step waits until its progress line is written (the test child's pauses need it). */
  lockstepImports?: boolean;
}

/** Writes one message line to stderr, prefixed with the program name. */
export function say(ctx: CommandContext, message: string): void {
  ctx.stderr.write(`snoopscope: ${message}\n`);
}
