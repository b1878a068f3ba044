import type { Writable } from 'node:stream';

/** Waits until the stream wants more data; rejects when it fails or closes first. */
function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onClose = (): void => {
      cleanup();
      reject(Object.assign(new Error('The output was closed.'), { code: 'EPIPE' }));
    };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Writes text to a stream in chunks of about `chunkSize` characters and waits for `drain`
 * whenever the stream's buffer is full, so a slow reader slows the producer instead of
 * filling memory. A stream error (e.g. EPIPE when the reader went away) is rethrown.
 */
export class OutputWriter {
  private buffer = '';
  private failure: Error | null = null;
  private readonly onError = (e: Error): void => {
    this.failure ??= e;
  };

  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 64 * 1024,
  ) {
    stream.on('error', this.onError);
  }

  /** Queues text; writes it out once a chunk is full. */
  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= this.chunkSize) await this.flush();
  }

  /** Writes out whatever is queued and waits for the stream when it asks to. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.stream.destroyed) {
      throw Object.assign(new Error('The output was closed.'), { code: 'EPIPE' });
    }
    if (!this.stream.write(chunk)) await waitForDrain(this.stream);
    if (this.failure) throw this.failure;
  }

  /**
   * Writes bytes after whatever text is queued (a piece of UTF-8 a writer built itself) and
   * waits for the stream when it asks to.
   */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    if (this.stream.destroyed) {
      throw Object.assign(new Error('The output was closed.'), { code: 'EPIPE' });
    }
    if (!this.stream.write(bytes)) await waitForDrain(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Stops listening for stream errors. */
  release(): void {
    this.stream.off('error', this.onError);
  }
}

/** True for the errors a stream raises when its reader has gone away. */
export function isBrokenPipe(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
  );
}

/** Lays out rows as aligned columns separated by two spaces; `right` lists right-aligned columns. */
export function formatTable(
  header: string[],
  rows: string[][],
  right: ReadonlySet<number> = new Set(),
): string {
  // A running maximum: spreading every row's width into Math.max overflows the stack on a large table.
  const widths = header.map((h) => h.length);
  for (const r of rows)
    for (let i = 0; i < widths.length; i += 1)
      widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const line = (cells: string[]): string =>
    widths
      .map((w, i) => {
        const c = cells[i] ?? '';
        return right.has(i) ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return (
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
  );
}

/** A duration in seconds for people: `4.5s`, `3m 20s`, `2h 05m 00s`; a dash when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** An app for people: its identifier, with the display name when known. */
export function formatApp(app: string, appName: string | null): string {
  return appName && appName !== app ? `${app} (${appName})` : app;
}
