import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

// An emulated Android device daemon for tests: a loopback TCP server speaking the ADB transport
// protocol (AOSP adb/protocol.txt) as the real `adb` host expects after `adb connect
// 127.0.0.1:PORT`. It answers shell commands from recorded outputs and can misbehave on request.

/** The transport's message commands (four ASCII letters, little-endian). */
export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;
/** The protocol version from which the data checksum is no longer computed nor checked. */
export const A_VERSION_SKIP_CHECKSUM = 0x01000001;
export const A_VERSION_MIN = 0x01000000;
const AUTH_TOKEN = 1;
const AUTH_SIGNATURE = 2;
const AUTH_RSAPUBLICKEY = 3;
const HEADER_BYTES = 24;

/** Shell protocol v2 packet ids. */
const SHELL_STDOUT = 1;
const SHELL_STDERR = 2;
const SHELL_EXIT = 3;

/** A command that prints, then exits with a non-zero code. */
export interface EmulatedFailure {
  /** The command as the host sends it (`dumpsys usagestats`). */
  command: string;
  stdout?: string;
  stderr?: string;
  exitCode: number;
}

/** What the emulated phone does; every field may change between commands. */
export interface AdbEmulatorBehaviour {
  /** Output of each shell command, byte for byte (`getprop`, `date +%s`…). */
  outputs: Record<string, string | Uint8Array>;
  /** `accept` (default): AUTH then CNXN; `none`: CNXN at once; `unauthorized`: never accepts a key. */
  auth?: 'none' | 'accept' | 'unauthorized';
  /** Never answers the host's CNXN, so adb lists the phone as offline. */
  offline?: boolean;
  fail?: EmulatedFailure;
  /** Drops the TCP connection once this many bytes of the command's output were sent. */
  disconnect?: { command: string; afterBytes: number };
  /** Sends the command's output in chunks of `chunkBytes`, waiting `delayMs` before each. */
  slow?: { command: string; chunkBytes: number; delayMs: number };
}

/** Fixed at start: what the phone says in its CNXN. */
export interface AdbEmulatorOptions {
  behaviour: AdbEmulatorBehaviour;
  product?: { name: string; model: string; device: string };
  features?: string[];
  /** The protocol version the phone offers (default 0x01000001, which skips data checksums). */
  version?: number;
  maxPayload?: number;
}

/** A running emulated phone. */
export interface AdbEmulator {
  port: number;
  /** What `adb connect` names it: `127.0.0.1:PORT`. */
  serial: string;
  setBehaviour: (b: AdbEmulatorBehaviour) => void;
  /** The services the host opened, in order (`shell,v2,raw:getprop`). */
  services: () => string[];
  /** Drops every open connection (the phone was unplugged). */
  dropConnections: () => void;
  close: () => Promise<void>;
}

interface Message {
  command: number;
  arg0: number;
  arg1: number;
  data: Buffer;
}

/** The data checksum of protocol versions before 0x01000001: the sum of the payload's bytes. */
export function adbChecksum(data: Uint8Array): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) >>> 0;
  return sum;
}

/** One transport message, header and payload. */
export function encodeAdbMessage(m: Message, withChecksum: boolean): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(m.command >>> 0, 0);
  header.writeUInt32LE(m.arg0 >>> 0, 4);
  header.writeUInt32LE(m.arg1 >>> 0, 8);
  header.writeUInt32LE(m.data.length, 12);
  header.writeUInt32LE(withChecksum ? adbChecksum(m.data) : 0, 16);
  header.writeUInt32LE((m.command ^ 0xffffffff) >>> 0, 20);
  return Buffer.concat([header, m.data]);
}

function shellPacket(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(id, 0);
  head.writeUInt32LE(data.length, 1);
  return Buffer.concat([head, data]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A local stream opened by the host. */
interface Stream {
  localId: number;
  remoteId: number;
  /** Resolves the wait for the host's OKAY after each WRTE. */
  ack: (() => void) | null;
  closed: boolean;
}

class Connection {
  private buffer = Buffer.alloc(0);
  private version = A_VERSION_SKIP_CHECKSUM;
  private maxPayload: number;
  private online = false;
  private nextId = 1;
  private readonly streams = new Map<number, Stream>();
  private readonly token = randomBytes(20);

  constructor(
    private readonly socket: Socket,
    private readonly options: Required<Omit<AdbEmulatorOptions, 'behaviour'>>,
    private readonly behaviour: () => AdbEmulatorBehaviour,
    private readonly log: (service: string) => void,
  ) {
    this.maxPayload = options.maxPayload;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
  }

  private get checksummed(): boolean {
    return this.version < A_VERSION_SKIP_CHECKSUM;
  }

  private send(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
    if (this.socket.destroyed) return;
    this.socket.write(encodeAdbMessage({ command, arg0, arg1, data }, this.checksummed));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= HEADER_BYTES) {
      const command = this.buffer.readUInt32LE(0);
      const arg0 = this.buffer.readUInt32LE(4);
      const arg1 = this.buffer.readUInt32LE(8);
      const length = this.buffer.readUInt32LE(12);
      const check = this.buffer.readUInt32LE(16);
      const magic = this.buffer.readUInt32LE(20);
      // protocol.txt: an invalid header or a corrupt payload closes the connection.
      if (magic !== (command ^ 0xffffffff) >>> 0 || length > 16 * 1024 * 1024) {
        this.socket.destroy();
        return;
      }
      if (this.buffer.length < HEADER_BYTES + length) return;
      const data = Buffer.from(this.buffer.subarray(HEADER_BYTES, HEADER_BYTES + length));
      this.buffer = this.buffer.subarray(HEADER_BYTES + length);
      // The version is only known once CNXN arrived, so CNXN's own checksum is not checked.
      if (command !== A_CNXN && this.checksummed && check !== adbChecksum(data)) {
        this.socket.destroy();
        return;
      }
      this.handle({ command, arg0, arg1, data });
    }
  }

  private connect(): void {
    const p = this.options.product;
    const banner = `device::ro.product.name=${p.name};ro.product.model=${p.model};ro.product.device=${p.device};features=${this.options.features.join(',')}`;
    this.online = true;
    this.send(A_CNXN, this.version, this.maxPayload, Buffer.from(banner, 'utf8'));
  }

  private handle(m: Message): void {
    const b = this.behaviour();
    switch (m.command) {
      case A_CNXN: {
        this.version = Math.max(A_VERSION_MIN, Math.min(m.arg0, this.options.version));
        this.maxPayload = Math.max(1024, Math.min(m.arg1, this.options.maxPayload));
        if (b.offline) return;
        if ((b.auth ?? 'accept') === 'none') this.connect();
        else this.send(A_AUTH, AUTH_TOKEN, 0, this.token);
        return;
      }
      case A_AUTH: {
        if (this.online) return;
        const auth = b.auth ?? 'accept';
        if (auth === 'accept' && (m.arg0 === AUTH_SIGNATURE || m.arg0 === AUTH_RSAPUBLICKEY)) {
          this.connect();
        } else if (m.arg0 === AUTH_SIGNATURE) {
          // Rejected: ask again, so the host offers its public key (and waits for the user).
          this.send(A_AUTH, AUTH_TOKEN, 0, this.token);
        }
        return;
      }
      case A_OPEN: {
        if (!this.online) return;
        const service = m.data.toString('utf8').replace(/\0+$/, '');
        this.log(service);
        const stream: Stream = {
          localId: this.nextId++,
          remoteId: m.arg0,
          ack: null,
          closed: false,
        };
        this.streams.set(stream.localId, stream);
        this.send(A_OKAY, stream.localId, stream.remoteId);
        void this.serve(stream, service);
        return;
      }
      case A_OKAY: {
        const s = this.streams.get(m.arg1);
        const ack = s?.ack;
        if (s) s.ack = null;
        ack?.();
        return;
      }
      case A_WRTE: {
        // Stdin and shell v2 control packets from the host are acknowledged and ignored.
        const s = this.streams.get(m.arg1);
        if (s) this.send(A_OKAY, s.localId, s.remoteId);
        return;
      }
      case A_CLSE: {
        const s = this.streams.get(m.arg1);
        if (s) {
          s.closed = true;
          this.streams.delete(s.localId);
          s.ack?.();
        }
        return;
      }
      default:
        return;
    }
  }

  /** Sends `data` in WRTE messages of at most maxPayload bytes, each after the previous OKAY. */
  private async write(stream: Stream, data: Buffer): Promise<boolean> {
    for (let at = 0; at < data.length; at += this.maxPayload) {
      if (stream.closed || this.socket.destroyed) return false;
      const acked = new Promise<void>((r) => (stream.ack = r));
      this.send(A_WRTE, stream.localId, stream.remoteId, data.subarray(at, at + this.maxPayload));
      await acked;
    }
    return !stream.closed && !this.socket.destroyed;
  }

  private close(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.localId);
    this.send(A_CLSE, stream.localId, stream.remoteId);
  }

  private async serve(stream: Stream, service: string): Promise<void> {
    const m = /^(shell|exec)(,[^:]*)?:(.*)$/s.exec(service);
    if (!m) {
      this.close(stream);
      return;
    }
    const v2 = m[1] === 'shell' && (m[2] ?? '').split(',').includes('v2');
    // `CMD ; echo MARKER$?`: the phone's shell prints the marker and CMD's exit code after the
    // output, then exits 0 itself.
    const full = m[3]!.trim();
    const marked = / ; echo (\S+)\$\?$/.exec(full);
    const command = marked ? full.slice(0, marked.index) : full;
    const b = this.behaviour();
    let stdout: Buffer;
    let stderr = Buffer.alloc(0);
    let code = 0;
    if (b.fail && b.fail.command === command) {
      stdout = Buffer.from(b.fail.stdout ?? '', 'utf8');
      stderr = Buffer.from(b.fail.stderr ?? '', 'utf8');
      code = b.fail.exitCode;
    } else if (Object.hasOwn(b.outputs, command)) {
      const out = b.outputs[command]!;
      stdout = typeof out === 'string' ? Buffer.from(out, 'utf8') : Buffer.from(out);
    } else {
      stdout = Buffer.alloc(0);
      stderr = Buffer.from(`/system/bin/sh: ${command.split(' ')[0]}: inaccessible or not found\n`);
      code = 127;
    }
    const frame = (id: number, data: Buffer): Buffer => (v2 ? shellPacket(id, data) : data);
    const slow = b.slow?.command === command ? b.slow : null;
    const cut = b.disconnect?.command === command ? b.disconnect.afterBytes : null;
    const chunk = slow ? Math.max(1, slow.chunkBytes) : Math.max(1, this.maxPayload - 5);
    for (let at = 0; at < stdout.length; at += chunk) {
      if (slow) await sleep(slow.delayMs);
      let piece = stdout.subarray(at, at + chunk);
      if (cut !== null && at + piece.length >= cut) {
        piece = piece.subarray(0, Math.max(0, cut - at));
        if (piece.length > 0) await this.write(stream, frame(SHELL_STDOUT, piece));
        this.socket.destroy();
        return;
      }
      if (!(await this.write(stream, frame(SHELL_STDOUT, piece)))) return;
    }
    if (cut !== null) {
      this.socket.destroy();
      return;
    }
    if (stderr.length > 0) {
      // Without shell v2 the device has one output stream, and stderr is mixed into it.
      if (!(await this.write(stream, frame(SHELL_STDERR, stderr)))) return;
    }
    if (marked) {
      const line = Buffer.from(`${marked[1]!}${code}\n`, 'utf8');
      if (!(await this.write(stream, frame(SHELL_STDOUT, line)))) return;
      code = 0;
    }
    if (v2 && !(await this.write(stream, shellPacket(SHELL_EXIT, Buffer.from([code & 0xff]))))) {
      return;
    }
    this.close(stream);
  }
}

/** Starts an emulated phone on 127.0.0.1 at a free port. */
export async function startAdbEmulator(options: AdbEmulatorOptions): Promise<AdbEmulator> {
  let behaviour = options.behaviour;
  const services: string[] = [];
  const sockets = new Set<Socket>();
  const fixed = {
    product: options.product ?? { name: 'panther', model: 'Pixel_7', device: 'panther' },
    features: options.features ?? [
      'shell_v2',
      'cmd',
      'stat_v2',
      'ls_v2',
      'fixed_push_mkdir',
      'apex',
    ],
    version: options.version ?? A_VERSION_SKIP_CHECKSUM,
    maxPayload: options.maxPayload ?? 256 * 1024,
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new Connection(
      socket,
      fixed,
      () => behaviour,
      (s) => services.push(s),
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('No TCP port');
  const port = address.port;
  const dropConnections = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    serial: `127.0.0.1:${port}`,
    setBehaviour: (b) => {
      behaviour = b;
    },
    services: () => [...services],
    dropConnections,
    close: async () => {
      dropConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
