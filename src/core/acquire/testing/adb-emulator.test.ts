import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  A_AUTH,
  A_CNXN,
  A_OKAY,
  A_OPEN,
  A_VERSION_MIN,
  A_VERSION_SKIP_CHECKSUM,
  A_WRTE,
  adbChecksum,
  encodeAdbMessage,
  startAdbEmulator,
  type AdbEmulator,
} from './adb-emulator';

// The emulated phone at the wire level, without adb: header layout, checksums, and a connection
// closed on a corrupt message.

interface Msg {
  command: number;
  arg0: number;
  arg1: number;
  data: Buffer;
}

function reader(socket: Socket): () => Promise<Msg> {
  let buffer = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (c: Buffer) => {
    buffer = Buffer.concat([buffer, c]);
    wake?.();
  });
  return async () => {
    for (;;) {
      if (buffer.length >= 24) {
        const length = buffer.readUInt32LE(12);
        if (buffer.length >= 24 + length) {
          const m = {
            command: buffer.readUInt32LE(0),
            arg0: buffer.readUInt32LE(4),
            arg1: buffer.readUInt32LE(8),
            data: buffer.subarray(24, 24 + length),
          };
          expect(buffer.readUInt32LE(20)).toBe((m.command ^ 0xffffffff) >>> 0);
          buffer = buffer.subarray(24 + length);
          return m;
        }
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
}

const host = (version: number): Buffer =>
  encodeAdbMessage(
    { command: A_CNXN, arg0: version, arg1: 4096, data: Buffer.from('host::\0') },
    true,
  );

describe('adb emulator', () => {
  let emu: AdbEmulator | null = null;
  afterEach(async () => {
    await emu?.close();
    emu = null;
  });

  async function open(): Promise<{ socket: Socket; next: () => Promise<Msg> }> {
    emu = await startAdbEmulator({
      behaviour: { outputs: { 'echo hi': 'hi\n' }, auth: 'none' },
      version: A_VERSION_MIN,
    });
    const socket = connect({ host: '127.0.0.1', port: emu.port });
    await new Promise((r) => socket.once('connect', r));
    return { socket, next: reader(socket) };
  }

  it('sums the payload bytes as the pre-0x01000001 checksum', () => {
    expect(adbChecksum(Buffer.from([1, 2, 255]))).toBe(258);
    const m = encodeAdbMessage(
      { command: A_OKAY, arg0: 1, arg1: 2, data: Buffer.from('ab') },
      true,
    );
    expect(m.readUInt32LE(16)).toBe(97 + 98);
    expect(m.readUInt32LE(20)).toBe((A_OKAY ^ 0xffffffff) >>> 0);
    expect(
      encodeAdbMessage(
        { command: A_OKAY, arg0: 1, arg1: 2, data: Buffer.from('ab') },
        false,
      ).readUInt32LE(16),
    ).toBe(0);
  });

  it('answers CNXN with its banner and serves shell: with checksummed messages', async () => {
    const { socket, next } = await open();
    socket.write(host(A_VERSION_SKIP_CHECKSUM));
    const cnxn = await next();
    expect(cnxn.command).toBe(A_CNXN);
    expect(cnxn.arg0).toBe(A_VERSION_MIN);
    expect(cnxn.data.toString()).toMatch(
      /^device::ro\.product\.name=panther;ro\.product\.model=Pixel_7;ro\.product\.device=panther;features=shell_v2,cmd/,
    );
    socket.write(
      encodeAdbMessage(
        { command: A_OPEN, arg0: 7, arg1: 0, data: Buffer.from('shell:echo hi\0') },
        true,
      ),
    );
    const okay = await next();
    expect([okay.command, okay.arg1]).toEqual([A_OKAY, 7]);
    const wrte = await next();
    expect([wrte.command, wrte.arg0, wrte.arg1, wrte.data.toString()]).toEqual([
      A_WRTE,
      okay.arg0,
      7,
      'hi\n',
    ]);
    socket.destroy();
  });

  it('closes the connection on a payload whose checksum is wrong', async () => {
    const { socket, next } = await open();
    socket.write(host(A_VERSION_MIN));
    await next();
    const bad = encodeAdbMessage(
      { command: A_OPEN, arg0: 7, arg1: 0, data: Buffer.from('shell:echo hi\0') },
      true,
    );
    bad.writeUInt32LE(1, 16);
    socket.write(bad);
    await new Promise((r) => socket.once('close', r));
    expect(emu!.services()).toEqual([]);
  });

  it('asks for AUTH and, unauthorized, never sends CNXN', async () => {
    emu = await startAdbEmulator({ behaviour: { outputs: {}, auth: 'unauthorized' } });
    const socket = connect({ host: '127.0.0.1', port: emu.port });
    const next = reader(socket);
    socket.write(host(A_VERSION_SKIP_CHECKSUM));
    const token = await next();
    expect([token.command, token.arg0, token.data.length]).toEqual([A_AUTH, 1, 20]);
    socket.write(
      encodeAdbMessage({ command: A_AUTH, arg0: 2, arg1: 0, data: Buffer.alloc(256) }, false),
    );
    const again = await next();
    expect([again.command, again.arg0]).toEqual([A_AUTH, 1]);
    socket.destroy();
  });
});
