import type { ReadStream } from 'node:tty';
import type { Writable } from 'node:stream';

/**
 * Reads one line from a terminal without echoing it (a password). Resolves to null when the
 * user presses Ctrl-C or Ctrl-D on an empty line. Backspace edits; Enter ends.
 */
export function readSecret(
  input: ReadStream,
  output: Writable,
  prompt: string,
): Promise<string | null> {
  return new Promise((resolvePromise) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let text = '';
    const done = (value: string | null): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      resolvePromise(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(text);
        if (ch === '\u0003') return done(null);
        if (ch === '\u0004') {
          if (text === '') return done(null);
          continue;
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
    };
    input.on('data', onData);
  });
}
