import type { Writable } from 'node:stream';
import { AppError } from '../core/model/errors';
import { runAcquire } from './acquire-command';
import { runAnnotate } from './annotate-command';
import { UsageError } from './args';
import type { CommandContext } from './context';
import { runBackups } from './backups-command';
import { runCapture } from './capture-command';
import { runExport, runVerify } from './bundle-command';
import { runCompare, runPair } from './compare-command';
import { runNameApp } from './name-app-command';
import { cliVersion } from './version';
import { runDevices } from './devices-command';
import { runEvents } from './events-command';
import { runImport } from './import-command';
import { isBrokenPipe, OutputWriter } from './output';
import { readSecret } from './secret-prompt';
import { runSummary } from './summary-command';
import { runFindingsCommand } from './findings-command';
import { cliUsage, COMMAND_NAMES, commandHelp } from './usage';

export { cliUsage };

/** Where the CLI writes and how it learns of a cancel; every field defaults to the process's own. */
export interface CliIo {
  stdout?: Writable;
  stderr?: Writable;
  /** Whether stderr is a terminal (progress lines); defaults to `stderr.isTTY`. */
  stderrIsTTY?: boolean;
  /** Aborting it cancels a running import; when absent, SIGINT does. */
  signal?: AbortSignal;
  /** Asks for a password; defaults to a no-echo prompt when stdin and stderr are terminals. */
  promptPassword?: (prompt: string) => Promise<string | null>;
  /** Each import step waits until its progress line is written (see `CommandContext`). */
  lockstepImports?: boolean;
}

const COMMANDS = COMMAND_NAMES;
type Command = (typeof COMMANDS)[number];

const isCommand = (text: string): text is Command => (COMMANDS as readonly string[]).includes(text);
const HELP_FLAGS = ['--help', '-h', 'help'];
const VERSION_FLAGS = ['--version', '-V'];

function run(command: Command, args: string[], ctx: CommandContext): Promise<number> {
  switch (command) {
    case 'import':
      return runImport(args, ctx);
    case 'summary':
      return runSummary(args, ctx);
    case 'events':
      return runEvents(args, ctx);
    case 'devices':
      return runDevices(args, ctx);
    case 'backups':
      return runBackups(args, ctx);
    case 'acquire':
      return runAcquire(args, ctx);
    case 'capture':
      return runCapture(args, ctx);
    case 'compare':
      return runCompare(args, ctx);
    case 'pair':
      return runPair(args, ctx);
    case 'name-app':
      return runNameApp(args, ctx);
    case 'export':
      return runExport(args, ctx, cliVersion());
    case 'verify':
      return runVerify(args, ctx);
    case 'annotate':
      return runAnnotate(args, ctx);
    case 'findings':
      return runFindingsCommand(args, ctx);
    default: {
      const never: never = command;
      throw new Error(`Unhandled command ${String(never)}`);
    }
  }
}

/**
 * Runs the command line and resolves to the exit code: 0 done, 1 some input refused or an
 * error, 2 usage error, 130 cancelled. Data goes to stdout, messages to stderr.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const stderrIsTTY = io.stderrIsTTY ?? (stderr as Writable & { isTTY?: boolean }).isTTY === true;
  const usage = (code: number, message?: string): number => {
    if (message) stderr.write(`snoopscope: ${message}\n\n`);
    stderr.write(cliUsage);
    return code;
  };

  const [command, ...args] = argv;
  if (command === undefined) return usage(2);
  // Asked-for help and the version are the command's output: stdout, exit 0.
  if (VERSION_FLAGS.includes(command)) {
    stdout.write(`snoopscope ${cliVersion()}\n`);
    return 0;
  }
  if (HELP_FLAGS.includes(command)) {
    const topic = args[0];
    if (topic === undefined) {
      stdout.write(cliUsage);
      return 0;
    }
    if (!isCommand(topic)) return usage(2, `unknown command "${topic}".`);
    stdout.write(commandHelp(topic));
    return 0;
  }
  if (!isCommand(command)) return usage(2, `unknown command "${command}".`);
  if (args.includes('--help') || args.includes('-h')) {
    stdout.write(commandHelp(command));
    return 0;
  }

  const out = new OutputWriter(stdout);
  const promptPassword =
    io.promptPassword ??
    (io.stderr === undefined && process.stdin.isTTY && stderrIsTTY
      ? (prompt: string) => readSecret(process.stdin, stderr, prompt)
      : undefined);
  const ctx: CommandContext = {
    out,
    stderr,
    stderrIsTTY,
    signal: io.signal,
    promptPassword,
    lockstepImports: io.lockstepImports,
  };
  try {
    const code = await run(command, args, ctx);
    await out.flush();
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`snoopscope: ${e.message}\nRun \`snoopscope --help\` for usage.\n`);
      return 2;
    }
    if (e instanceof AppError) {
      stderr.write(`snoopscope: ${e.message}\n`);
      return 1;
    }
    if (isBrokenPipe(e)) return 0;
    // A plain sentence only; the stack is for developers, on request.
    const err = e instanceof Error ? e : new Error(String(e));
    const reason = err.message.trim().replace(/\.?$/, '.');
    stderr.write(`snoopscope: ${command} failed: ${reason}\n`);
    if (process.env.SNOOPSCOPE_DEBUG) stderr.write(`${err.stack ?? err.message}\n`);
    else stderr.write('Set SNOOPSCOPE_DEBUG=1 to print where it failed.\n');
    return 1;
  } finally {
    out.release();
  }
}
