import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Filter } from '../../contract/filter';
import type { CaseSession } from '../services/case-service';
import {
  accessEvents,
  networkEvents,
  permissionEvents,
  rejectEvents,
  usageEvents,
} from '../services/events-query';

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
      sources: e.sources.map((s) => `${s.sha256}:${s.locator}`).join(';'),
    };
  }
  for (const e of rejectEvents(session, filter))
    yield {
      message: `${e.appName ?? e.app} was refused ${e.raw}`,
      datetime: e.time,
      timestamp_desc: 'Access refused',
      data_type: 'snoopscope:reject',
      ...e,
      sources: e.sources.map((s) => `${s.sha256}:${s.locator}`).join(';'),
    };
  for (const e of usageEvents(session, filter))
    yield {
      message: `${e.type}${e.app ? ` ${e.app}` : ''}`,
      datetime: e.time,
      timestamp_desc: 'Usage event',
      data_type: 'snoopscope:usage',
      ...e,
      sources: e.sources.map((s) => `${s.sha256}:${s.locator}`).join(';'),
    };
  for (const e of permissionEvents(session, filter)) {
    if (!e.time) continue;
    yield {
      message: `${e.appName ?? e.app} ${e.status} ${e.raw}`,
      datetime: e.time,
      timestamp_desc: 'Permission last changed',
      data_type: 'snoopscope:permission',
      ...e,
      sources: e.sources.map((s) => `${s.sha256}:${s.locator}`).join(';'),
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
      sources: e.sources.map((s) => `${s.sha256}:${s.locator}`).join(';'),
    };
  }
}

/**
 * Writes the filtered records in Timesketch's JSONL import format (one event a line with
 * `message`, `datetime` and `timestamp_desc`), for loading a case into a shared Timesketch.
 */
export async function exportTimesketch(
  session: CaseSession,
  filter: Filter,
  path: string,
): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  let n = 0;
  for (const line of sketchLines(session, filter)) {
    n += 1;
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}
