import type { RecordDetails } from '../../../contract/api';
import { CATEGORY_LABELS, toCategory } from '../../../contract/categories';
import { permissionStatusSchema } from '../../../contract/records';
import { formatBoth, formatBytes, formatCount, offsetLabel } from '../../shared/format';
import { statusLabel } from '../permissions/permission-status';
import { originLabel } from '../permissions/permission-table';
import { usageOriginLabel } from '../usage/usage-table';

/** One line of the details panel's field list. */
export interface FieldRow {
  key: string;
  label: string;
  value: string;
  /** `mono` for identifiers and raw names, `instant` for timestamps (monospace, kept on one line). */
  style: 'text' | 'mono' | 'instant';
}

const LABELS: Record<string, string> = {
  id: 'Record id',
  device: 'Device',
  app: 'App',
  appName: 'App name',
  origin: 'Origin',
  raw: 'Service as written',
  label: 'Service',
  category: 'Category',
  status: 'Status',
  reason: 'Reason',
  process: 'Process',
  wifiIn: 'Wi-Fi in',
  wifiOut: 'Wi-Fi out',
  cellIn: 'Cellular in',
  cellOut: 'Cellular out',
  firstMs: 'First seen',
  lastMs: 'Last seen',
  offsetMin: 'UTC offset',
  identifier: 'Profile identifier',
  displayName: 'Profile name',
  organization: 'Organisation',
  operation: 'Operation',
  payloadTypes: 'Payload types',
  mdm: 'MDM',
  vpn: 'VPN',
  rootCertificate: 'Root certificate',
};

// What the reader looks for first: who, what, the state, then amounts, then when and where.
const ORDER = [
  'app',
  'appName',
  'label',
  'raw',
  'category',
  'status',
  'reason',
  'displayName',
  'identifier',
  'organization',
  'operation',
  'payloadTypes',
  'mdm',
  'vpn',
  'rootCertificate',
  'process',
  'wifiIn',
  'wifiOut',
  'cellIn',
  'cellOut',
  'timeMs',
  'firstMs',
  'lastMs',
  'offsetMin',
  'origin',
  'device',
  'id',
];
const rank = (key: string): number => {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
};

// Shown elsewhere in the panel (source section, locator) or internal numbers of the case.
const HIDDEN = new Set(['deviceId', 'sourceId', 'locator']);
const MONO = new Set(['id', 'app', 'raw', 'process', 'identifier', 'payloadTypes']);
const BYTES = new Set(['wifiIn', 'wifiOut', 'cellIn', 'cellOut']);
const TIMES = new Set(['timeMs', 'firstMs', 'lastMs']);

/** `50.0 MB (52,428,800 bytes)`: the readable size and the exact count. */
export function formatByteField(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  return `${formatBytes(bytes)} (${formatCount(bytes)} byte${bytes === 1 ? '' : 's'})`;
}

/** A stored value as text: `—` for null, `yes`/`no`, lists joined, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.length === 0 ? '—' : value.join(', ');
  return JSON.stringify(value);
}

/** What the time of a record means, which depends on where it was read. */
export function timeLabel(kind: RecordDetails['kind'], fields: Record<string, unknown>): string {
  if (kind === 'permission')
    return fields.origin === 'location-clients' ? 'Location last used' : 'Last changed';
  if (kind === 'profile') return fields.operation === 'installed' ? 'Installed' : 'Event time';
  return 'Time';
}

/** A readable name with the stored value after it, unless the name already shows it. */
const withRaw = (label: string, raw: string): string =>
  label.includes(raw) ? label : `${label} (${raw})`;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The record's fields as labelled rows. Instants are shown device-local and in UTC (nothing is
 * hidden in the details panel), byte counters readable and exact.
 */
export function describeFields(
  kind: RecordDetails['kind'],
  fields: Record<string, unknown>,
): FieldRow[] {
  const offset = num(fields.offsetMin);
  const rows: FieldRow[] = [];
  const entries = Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b));
  for (const [key, value] of entries) {
    if (HIDDEN.has(key)) continue;
    const label = key === 'timeMs' ? timeLabel(kind, fields) : (LABELS[key] ?? key);
    if (TIMES.has(key)) {
      const ms = num(value);
      const both = formatBoth(ms, offset);
      rows.push({
        key,
        label: `${label} (device-local)`,
        value: ms === null ? 'unknown' : both.local,
        style: 'instant',
      });
      if (ms !== null)
        rows.push({
          key: `${key}:utc`,
          label: `${label} (UTC)`,
          value: both.utc,
          style: 'instant',
        });
      continue;
    }
    const status = key === 'status' ? permissionStatusSchema.safeParse(value) : null;
    let text: string;
    if (BYTES.has(key)) text = formatByteField(num(value));
    else if (key === 'offsetMin') text = offset === null ? 'unknown' : offsetLabel(offset);
    else if (key === 'category' && typeof value === 'string')
      text = CATEGORY_LABELS[toCategory(value)];
    else if (status?.success) text = statusLabel(status.data);
    else if (
      key === 'origin' &&
      (value === 'tcc' || value === 'location-clients' || value === 'android-package')
    )
      text = withRaw(originLabel(value), value);
    else if (key === 'origin' && (value === 'data-usage' || value === 'addaily'))
      text = withRaw(usageOriginLabel(value), value);
    else text = formatValue(value);
    rows.push({ key, label, value: text, style: MONO.has(key) ? 'mono' : 'text' });
  }
  return rows;
}

/** The headline of a record: the app or profile it is about. */
export function recordTitle(d: Pick<RecordDetails, 'kind' | 'fields'>): string {
  const f = d.fields;
  const pick = (...keys: string[]): string | null => {
    for (const k of keys) {
      const v = f[k];
      if (typeof v === 'string' && v.trim() !== '') return v;
    }
    return null;
  };
  switch (d.kind) {
    case 'permission':
      return (
        [pick('appName', 'app'), pick('label', 'raw')].filter(Boolean).join(' · ') || 'Permission'
      );
    case 'network-usage':
      return pick('appName', 'app', 'process') ?? 'Network usage';
    case 'profile':
      return pick('displayName', 'identifier') ?? 'Configuration profile';
    default: {
      const never: never = d.kind;
      return never;
    }
  }
}

/** The panel heading of a record kind. */
export function kindLabel(kind: RecordDetails['kind']): string {
  switch (kind) {
    case 'permission':
      return 'Permission';
    case 'network-usage':
      return 'Network usage';
    case 'profile':
      return 'Configuration profile';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** A raw field as stored: scalars inline (`null` as such), structures as indented JSON blocks. */
export function formatRaw(value: unknown): { text: string; block: boolean } {
  if (value === null || value === undefined) return { text: 'null', block: false };
  if (typeof value === 'object') return { text: JSON.stringify(value, null, 2), block: true };
  return { text: formatValue(value), block: false };
}
