import type { ImporterManifest } from '../../importer';
import { asArray, asDict, asNumber, type PlistValue } from '../../../formats/plist';
import { describePlistType } from '../../../formats/plist/types';
import { appleTimeMs } from './location-clients';

/** One process of `netUsageBaseline`: its baseline date and Wi-Fi / cellular byte counts. */
export interface AddailyRecord {
  process: string;
  dateMs: number | null;
  wifiIn: number | null;
  wifiOut: number | null;
  cellIn: number | null;
  cellOut: number | null;
  locator: string;
}

export const osanalyticsAddailyManifest: ImporterManifest = {
  id: 'ios-backup-osanalytics-addaily',
  name: 'iOS daily network baseline (com.apple.osanalytics.addaily.plist)',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'HomeDomain Library/Preferences/com.apple.osanalytics.addaily.plist, key netUsageBaseline: ' +
    '{process: [date, Wi-Fi in, Wi-Fi out, cellular in, cellular out]}.',
  proves: [
    'The named process had a network-usage baseline entry with these Wi-Fi and cellular byte counts, dated as recorded (device clock).',
  ],
  doesNotProve: [
    'Where the traffic went: no destination, domain or address is kept.',
    'When within the period the traffic happened, or that it happened on the baseline date alone.',
    'That the process is an app the user installed: names are process names, not bundle ids.',
  ],
};

const COUNT_FIELDS = ['wifiIn', 'wifiOut', 'cellIn', 'cellOut'] as const;

/**
 * Reads `netUsageBaseline` of a parsed addaily plist into one record per process.
 * Short or long arrays, non-numeric counts and unreadable dates are kept as far as they go, with problems.
 */
export function readAddaily(plist: PlistValue): { records: AddailyRecord[]; problems: string[] } {
  const root = asDict(plist);
  if (!root) {
    return {
      records: [],
      problems: [`addaily plist is ${describePlistType(plist)}, not a dict`],
    };
  }
  const baseline = asDict(root['netUsageBaseline']);
  if (!baseline) {
    return {
      records: [],
      problems: [
        `addaily plist netUsageBaseline is ${describePlistType(root['netUsageBaseline'])}, not a dict`,
      ],
    };
  }
  const records: AddailyRecord[] = [];
  const problems: string[] = [];
  for (const [process, value] of Object.entries(baseline)) {
    const locator = `netUsageBaseline key ${process}`;
    const values = asArray(value);
    if (!values) {
      problems.push(`${locator}: is ${describePlistType(value)}, not an array; skipped`);
      continue;
    }
    if (values.length !== 5) {
      problems.push(
        `${locator}: has ${values.length} values, expected 5 (date, Wi-Fi in/out, cellular in/out)`,
      );
    }
    const dateMs = appleTimeMs(values[0]);
    if (values[0] !== undefined && dateMs === null) {
      problems.push(`${locator}: date is ${describePlistType(values[0])}, not a time`);
    }
    const record: AddailyRecord = {
      process,
      dateMs,
      wifiIn: null,
      wifiOut: null,
      cellIn: null,
      cellOut: null,
      locator,
    };
    COUNT_FIELDS.forEach((field, i) => {
      const raw = values[i + 1];
      const n = asNumber(raw);
      if (raw !== undefined && n === null) {
        problems.push(`${locator}: ${field} is ${describePlistType(raw)}, not a number`);
      }
      record[field] = n;
    });
    records.push(record);
  }
  return { records, problems };
}
