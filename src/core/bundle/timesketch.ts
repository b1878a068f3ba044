import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../model/errors';
import type { Filter } from '../../contract/filter';
import type { CaseSession } from '../services/case-service';
import { accessEvents } from '../services/access-events';
import {
  networkEvents,
  permissionEvents,
  rejectEvents,
  usageEvents,
} from '../services/record-events';
import { NO_REDACTION, type Redactor } from './redaction';

/** One Timesketch JSONL line: `message`, `datetime` (ISO-8601), `timestamp_desc`, plus fields. */
interface SketchLine {
  message: string;
  datetime: string;
  timestamp_desc: string;
  [field: string]: unknown;
}

function* sketchLines(session: CaseSession, filter: Filter): Generator<SketchLine> {
  for (const e of accessEvents(session, filter)) {
    const when = e.start ?? e.end;
    if (!when) continue;
    yield {
      message: `${e.appName ?? e.app} accessed ${e.category} (${e.raw})${e.state !== 'unknown' ? ` in the ${e.state}` : ''}`,
      datetime: when,
      timestamp_desc: e.start ? 'Access start' : 'Access end',
      data_type: 'snoopscope:access',
      ...e,
      sources: e.sources,
    };
  }
  for (const e of rejectEvents(session, filter))
    yield {
      message: `${e.appName ?? e.app} was refused ${e.raw}`,
      datetime: e.time,
      timestamp_desc: 'Access refused',
      data_type: 'snoopscope:reject',
      ...e,
      sources: e.sources,
    };
  for (const e of usageEvents(session, filter))
    yield {
      message: `${e.type}${e.app ? ` ${e.app}` : ''}`,
      datetime: e.time,
      timestamp_desc: 'Usage event',
      data_type: 'snoopscope:usage',
      ...e,
      sources: e.sources,
    };
  for (const e of permissionEvents(session, filter)) {
    if (!e.time) continue;
    yield {
      message: `${e.appName ?? e.app} ${e.status} ${e.raw}`,
      datetime: e.time,
      timestamp_desc: 'Permission last changed',
      data_type: 'snoopscope:permission',
      ...e,
      sources: e.sources,
    };
  }
  for (const e of networkEvents(session, filter)) {
    const when = e.lastSeen ?? e.firstSeen;
    if (!when) continue;
    yield {
      message: `${e.appName ?? e.app} contacted ${e.domain}`,
      datetime: when,
      timestamp_desc: 'Network last seen (7-day aggregate)',
      data_type: 'snoopscope:network',
      ...e,
      sources: e.sources,
    };
  }
}

/** Fields holding the tool's own vocabulary or times: never rewritten by a redaction. */
const FIXED_FIELDS = new Set([
  'datetime',
  'timestamp_desc',
  'data_type',
  'kind',
  'category',
  'state',
  'stateSource',
  'status',
  'origin',
  'operation',
]);

/**
 * One line as written: `sources` as `sha256:locator` joined by `;`, a redacted context blanked,
 * and every other free-text field (the message, ids, apps, names, domains, locators) rewritten by
 * the redaction, nested values included.
 */
function redactLine(line: SketchLine, redactor: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) {
    if (key === 'sources')
      out[key] = (value as { sha256: string; locator: string }[])
        .map((s) => `${s.sha256}:${redactor.text(s.locator)}`)
        .join(';');
    else if (key === 'context') out[key] = redactor.deep(redactor.context(value as string | null));
    else out[key] = FIXED_FIELDS.has(key) ? value : redactor.deep(value);
  }
  return out;
}

/**
 * Writes the filtered records in Timesketch's JSONL import format (one event a line with
 * `message`, `datetime` and `timestamp_desc`), for loading a case into a shared Timesketch.
 * Given a bundle's redactor, the file is redacted as the bundle is.
 */
export async function exportTimesketch(
  session: CaseSession,
  filter: Filter,
  path: string,
  redactor: Redactor = NO_REDACTION,
): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'EEXIST'
      ? new AppError('CONFLICT', `${path} exists; choose a new file name for the Timesketch file.`)
      : new AppError(
          'IO_ERROR',
          `Cannot write the Timesketch file ${path}: ${(e as Error).message}`,
        );
  }
  const out = handle.createWriteStream();
  let n = 0;
  for (const line of sketchLines(session, filter)) {
    n += 1;
    const text = JSON.stringify(redactLine(line, redactor)) + '\n';
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}
