// Runs one CLI command in this (fresh) process and reports its time, peak memory and output size.
// Usage: cli-child.ts <command> [args...]; the command's own output is counted, not kept.
import { Writable } from 'node:stream';
import { peakMemoryMb } from './peak-memory';

const started = performance.now();
const { main } = await import('../src/cli/main');
const loaded = performance.now();
const cpu0 = process.cpuUsage();
let bytes = 0;
let lines = 0;
const sink = new Writable({
  write(chunk: Buffer | string, _enc, done) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines += 1;
    done();
  },
});
let errors = '';
const errSink = new Writable({
  write(chunk: Buffer | string, _enc, done) {
    errors += String(chunk);
    done();
  },
});
const code = await main(process.argv.slice(2), { stdout: sink, stderr: errSink });
const ended = performance.now();
process.stdout.write(
  JSON.stringify({
    code,
    seconds: (ended - loaded) / 1000,
    cpuSeconds: (() => {
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 1e6;
    })(),
    loadSeconds: (loaded - started) / 1000,
    maxRssMb: peakMemoryMb(),
    bytes,
    lines,
    errors: errors.slice(0, 500),
  }) + '\n',
);
