// An iOS sysdiagnose archive (`sysdiagnose_*.tar.gz`, or a plain tar) as a container: it is read
// as a stream (formats/tar: bounded sizes and counts, unsafe names and links never followed) and
// each PowerLog inside becomes a member read by the PowerLog importer. Nothing is extracted to disk.
import { createHash } from 'node:crypto';
import { constants, gunzipSync } from 'node:zlib';
import { readTar, TarError, type TarMember } from '../../formats/tar';
import { AppError } from '../../model/errors';
import type { Importer, ImporterManifest, ParseItem, SourceInput } from '../importer';
import { MAX_POWERLOG_BYTES } from '../powerlog';
import { captureInstantOf, sysdiagnoseNameFacts, type SysdiagnoseNameFacts } from './name';

export const sysdiagnoseManifest: ImporterManifest = {
  id: 'ios-sysdiagnose',
  name: 'iOS sysdiagnose',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'A sysdiagnose archive (sysdiagnose_*.tar.gz) taken on the iPhone or iPad: the PowerLog databases under logs/powerlogs/ are read; the rest of the archive is listed but not read. The unified log (system_logs.logarchive) with its lock and unlock lines needs Apple tools to decode and is not read.',
  proves: [
    'Each PowerLog inside proves what a PowerLog proves (screen, lock and the app in front, as the device logged them).',
    'The OS version and build the archive name records, kept with each member.',
  ],
  doesNotProve: [
    'Which phone it is: the archive name records the model family and OS, not a serial or UDID, so the examiner chooses the device.',
    'The device time zone: the archive name records only the UTC offset at capture; the zone comes from the examiner.',
    'Lock and unlock lines of the unified log (they need Apple tools to read), nor anything else in the archive.',
  ],
};

const POWERLOG_PATH = /(^|\/)logs\/powerlogs\/[^/]+\.PLSQL$/i;
const ARCHIVE_NAME = /^sysdiagnose_.*\.(tar\.gz|tgz|tar)$/i;
const BATCH_PROGRESS_ENTRIES = 2000;

const SYSDIAGNOSE_PART = /(^|\/)sysdiagnose_[^/]*(\/|$)/;
/** Tar headers looked at in a head (a PAX or long-name header may come before the first name). */
const MAX_HEAD_ENTRIES = 8;

/** Whether one of the first entries of a (decompressed) tar head lies in a `sysdiagnose_…` folder. */
export function tarHeadIsSysdiagnose(tar: Uint8Array): boolean {
  const b = Buffer.from(tar.buffer, tar.byteOffset, tar.length);
  let at = 0;
  for (let n = 0; n < MAX_HEAD_ENTRIES && at + 512 <= b.length; n += 1) {
    const field = (from: number, to: number): string =>
      b.toString('latin1', at + from, at + to).replace(/\0.*$/s, '');
    const name = field(0, 100);
    if (name === '') return false;
    const prefix = field(257, 262) === 'ustar' ? field(345, 500) : '';
    const full = (prefix === '' ? name : `${prefix}/${name}`).replace(/^\.\//, '');
    if (SYSDIAGNOSE_PART.test(full)) return true;
    const size = Number.parseInt(field(124, 136).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) return false;
    // A PAX header (`x`) or a GNU long name (`L`) carries the next entry's name in its body.
    const type = b.toString('latin1', at + 156, at + 157);
    if (type === 'x' || type === 'L') {
      const body = b.toString('latin1', at + 512, Math.min(b.length, at + 512 + size));
      const named =
        type === 'L' ? body.replace(/\0.*$/s, '') : (/ path=([^\n]*)\n/.exec(body)?.[1] ?? '');
      if (SYSDIAGNOSE_PART.test(named.replace(/^\.\//, ''))) return true;
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return false;
}

// The first bytes of a gzip stream, inflated as far as they go. Only the first 4 KiB are
// inflated (at most a few MiB even for a crafted stream): the first tar headers sit there.
function gunzipHead(head: Uint8Array): Uint8Array | null {
  try {
    return gunzipSync(head.subarray(0, 4096), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: 8 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

export const sysdiagnoseImporter: Importer = {
  manifest: sysdiagnoseManifest,
  accepts: {
    input: 'file',
    extensions: ['gz', 'tgz', 'tar'],
    looksFor: 'an iOS sysdiagnose archive (sysdiagnose_*.tar.gz)',
  },
  sniff(probe) {
    if (probe.kind !== 'file') return { confidence: 0, reason: 'a folder, not an archive' };
    const named = ARCHIVE_NAME.test(probe.name);
    const gz = probe.head[0] === 0x1f && probe.head[1] === 0x8b;
    const tar = gz ? gunzipHead(probe.head) : probe.head;
    const inside = tar !== null && tarHeadIsSysdiagnose(tar);
    if (inside)
      return {
        confidence: 0.95,
        reason: `a ${gz ? 'gzip ' : ''}tar holding a sysdiagnose_… folder`,
      };
    if (
      named &&
      (gz ||
        (tar !== null &&
          tar.length >= 262 &&
          Buffer.from(tar).toString('latin1', 257, 262) === 'ustar'))
    )
      return { confidence: 0.8, reason: `an archive named ${probe.name}` };
    return {
      confidence: 0,
      reason: gz
        ? 'a gzip file that does not hold a sysdiagnose_… folder'
        : 'not a sysdiagnose archive',
    };
  },
  async *parse(source, ctx) {
    const facts = sysdiagnoseNameFacts(source.name);
    let entries = 0;
    let powerlogs = 0;
    const skipped: string[] = [];
    try {
      for await (const entry of readTar(source.chunks())) {
        if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
        entries++;
        if (entries % BATCH_PROGRESS_ENTRIES === 0)
          yield [{ type: 'progress', lines: entries, bytes: 0 }];
        if (entry.path === null || !POWERLOG_PATH.test(entry.path)) continue;
        if (entry.type !== 'file' || entry.refusal !== null) {
          skipped.push(
            `${entry.name} (${entry.refusal?.message ?? `a ${entry.type}, not a file`})`,
          );
          continue;
        }
        const rootFacts = facts ?? sysdiagnoseNameFacts(entry.path.split('/')[0] ?? '');
        const member = await powerLogMember(source, entry, rootFacts);
        if (typeof member === 'string') {
          skipped.push(member);
          continue;
        }
        powerlogs++;
        // A member alone in its batch is stored before the archive is read on.
        yield [member];
      }
    } catch (e) {
      if (e instanceof TarError) {
        yield [
          {
            type: 'refusal',
            message: `${source.name} could not be read as a sysdiagnose archive: ${e.message}`,
          },
        ];
        return;
      }
      throw e;
    }
    const notes: ParseItem[] = skipped.map((s) => ({
      type: 'warning' as const,
      warning: {
        line: null,
        locator: source.name,
        code: 'CAPTURE_NOTE' as const,
        message: `Not read from ${source.name}: ${s}.`,
      },
    }));
    if (powerlogs === 0)
      notes.push({
        type: 'refusal',
        message: `${source.name} holds no PowerLog (logs/powerlogs/*.PLSQL) among its ${entries} entries; nothing in it is read.`,
      });
    if (notes.length > 0) yield notes;
  },
};

// Reads one PowerLog entry whole (it is opened in memory anyway) and makes it a member.
async function powerLogMember(
  archive: SourceInput,
  entry: TarMember,
  facts: SysdiagnoseNameFacts | null,
): Promise<ParseItem | string> {
  if (entry.size > MAX_POWERLOG_BYTES)
    return `${entry.name} (${entry.size} bytes, more than the ${MAX_POWERLOG_BYTES} bytes a PowerLog may have here)`;
  const parts: Buffer[] = [];
  const hash = createHash('sha256');
  for await (const chunk of entry.content()) {
    parts.push(chunk);
    hash.update(chunk);
  }
  const bytes = Buffer.concat(parts);
  const path = entry.path!;
  const input: SourceInput = {
    kind: 'file',
    path: `${archive.path}/${path}`,
    name: path.split('/').pop() ?? path,
    size: bytes.length,
    locator: path,
    sha256: hash.digest('hex'),
    async *chunks() {
      yield bytes;
    },
  };
  const hints: Record<string, unknown> = {};
  const capturedAtMs = facts === null ? null : captureInstantOf(facts);
  if (facts !== null && facts.offsetMin !== null) hints.captureOffsetMin = facts.offsetMin;
  if (capturedAtMs !== null) hints.capturedAtMs = capturedAtMs;
  return {
    type: 'member',
    importer: 'ios-powerlog',
    source: input,
    hints,
    capturedAtMs,
    details: {
      archivePath: path,
      ...(facts === null
        ? {}
        : {
            model: facts.model,
            osName: facts.osName,
            osVersion: facts.osVersion,
            build: facts.build,
          }),
    },
  };
}
