import { CATEGORY_LABELS } from '../contract/categories';
import type { Filter } from '../contract/filter';
import type { DeviceKeyFindings } from '../contract/key-findings';
import { findingsNeedRefresh, storedFindingParams } from '../core/findings';
import { readKeyFindings, staleKeyFindingDevices } from '../core/findings/key-findings-store';
import { UsageError, type ParsedFilter } from './args';
import { caseFilter, openCaseForQuery, openCaseForWrite } from './case-open';
import type { CommandContext } from './context';
import { formatApp } from './output';
import { wrap } from './usage';

/** Refuses what `findings --key` does not take: it reads every record of the devices named. */
export function checkKeyFlags(filter: Filter, rules: unknown, params: object): void {
  const extra = Object.keys(filter).filter((k) => k !== 'devices');
  if (extra.length > 0 || rules !== undefined || Object.keys(params).length > 0)
    throw new UsageError(
      '--key reads every record of the devices named and the case’s own parameters: it takes --device only (no other filter, --rule or --param).',
    );
}

/** The key findings as text: per device, the sentences, then every other finding by app. */
export function formatKeyFindings(devices: readonly DeviceKeyFindings[]): string {
  const lines: string[] = [];
  for (const d of devices) {
    lines.push(`${d.device} (${d.observedDays} observed days)`);
    if (d.key.length === 0)
      lines.push(
        ...wrap(
          'No app stands out: no finding of medium or high severity on a named resource.',
          100,
          '  ',
        ),
      );
    d.key.forEach((k, i) => {
      lines.push(
        `  ${i + 1}. [${k.severity}] ${formatApp(k.app, k.appName)}: ${CATEGORY_LABELS[k.category]}`,
      );
      lines.push(...wrap(k.sentence, 100, '     '));
      if (k.why !== '') lines.push(...wrap(`Why ${k.severity}: ${k.why}`, 100, '     '));
      lines.push(...wrap(`Findings: ${k.findingIds.join(', ')}`, 100, '     '));
    });
    for (const c of d.intervalClusters)
      lines.push(...wrap(`Interval length (${CATEGORY_LABELS[c.category]}): ${c.note}`, 100, '  '));
    if (d.others.length > 0) {
      lines.push('  Everything else, by app:');
      for (const o of d.others) {
        lines.push(`    ${o.app === null ? '-' : formatApp(o.app, o.appName)}`);
        for (const f of o.findings)
          lines.push(...wrap(`[${f.severity}] ${f.title} (${f.id})`, 100, '      '));
      }
    }
    lines.push('');
  }
  if (devices.length === 0) lines.push('no devices.');
  return lines.join('\n') + '\n';
}

/** `findings <case> --key [--device D]... [--json]`. */
export async function runKeyFindings(
  casePath: string,
  parsed: ParsedFilter,
  json: boolean,
  ctx: CommandContext,
): Promise<number> {
  let session = openCaseForQuery(casePath);
  try {
    let filter = caseFilter(session, parsed);
    const devices = filter.devices ? { devices: filter.devices } : {};
    // Stored findings are computed once and kept when the case changed, as for the table.
    if (
      findingsNeedRefresh(session.db, devices, storedFindingParams(session.db)) ||
      staleKeyFindingDevices(session.db, filter.devices).length > 0
    ) {
      session.close();
      try {
        session = openCaseForWrite(casePath);
      } catch {
        session = openCaseForQuery(casePath);
      }
      filter = caseFilter(session, parsed);
    }
    const result = readKeyFindings(session.db, filter.devices);
    await ctx.out.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatKeyFindings(result));
    return 0;
  } finally {
    session.close();
  }
}
