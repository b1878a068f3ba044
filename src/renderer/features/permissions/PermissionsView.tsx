import { useMemo, useState } from 'react';
import type { PermissionItem } from '../../../contract/api';
import { useQuery } from '../../app/use-query';
import {
  useFilter,
  useSelectedId,
  useTimeMode,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatWhenCompact, plural, type TimeMode } from '../../shared/format';
import { When } from '../records/When';
import { Ident } from '../records/Ident';
import { nextSort, type SortState } from '../../shared/sort';
import { Spinner } from '../../shared/Spinner';
import { countActive } from '../filters/filter-text';
import { RecordTable } from '../records/RecordTable';
import { TimeModeToggle } from '../records/TimeModeToggle';
import '../records/records.css';
import { statusLabel, statusTone } from './permission-status';
import {
  countStatuses,
  filterPermissions,
  originLabel,
  permissionDefaultDir,
  sortPermissions,
  type PermissionColumn,
} from './permission-table';
import './permissions.css';
import { StatusGlyph } from './StatusGlyph';

const COLUMNS: { key: PermissionColumn; label: string; title?: string }[] = [
  { key: 'app', label: 'App' },
  { key: 'service', label: 'Service' },
  { key: 'category', label: 'Category' },
  { key: 'status', label: 'Status' },
  { key: 'reason', label: 'Reason' },
  {
    key: 'changed',
    label: 'Last changed',
    title:
      'TCC.db: when the entry last changed. locationd: when a location service last stopped for the app. dumpsys package: no time is recorded.',
  },
  { key: 'device', label: 'Device' },
  { key: 'origin', label: 'Origin' },
];

function Cell({
  item,
  column,
  timeMode,
}: {
  item: PermissionItem;
  column: PermissionColumn;
  timeMode: TimeMode;
}) {
  switch (column) {
    case 'app':
      return (
        <>
          <div>{item.appName ?? item.app}</div>
          {item.appName ? (
            <div className="muted small mono">
              <Ident text={item.app} />
            </div>
          ) : null}
        </>
      );
    case 'service':
      return (
        <>
          <div>{item.label}</div>
          <div className="muted small mono">
            <Ident text={item.raw} />
          </div>
        </>
      );
    case 'category':
      return (
        <span className="nowrap">
          <span
            className="swatch"
            style={{ background: categoryColor(item.category) }}
            aria-hidden="true"
          />
          {categoryLabel(item.category)}
        </span>
      );
    case 'status':
      return (
        <span
          className={`tag ${statusTone(item.status)} status-tag`}
          data-testid="permission-status"
          data-status={item.status}
        >
          <StatusGlyph status={item.status} />
          {statusLabel(item.status)}
        </span>
      );
    case 'reason':
      return item.reason ? <Ident text={item.reason} /> : <span className="muted">—</span>;
    case 'changed':
      return <When text={formatWhenCompact(item.timeMs, item.offsetMin, timeMode)} />;
    case 'device':
      return <>{item.device}</>;
    case 'origin':
      return <>{originLabel(item.origin)}</>;
    default: {
      const never: never = column;
      return never;
    }
  }
}

/**
 * Which app may use which service, per iPhone backup (TCC.db and locationd) or Android capture
 * (dumpsys package), one row per app and service.
 */
export function PermissionsView() {
  const filter = useFilter();
  const timeMode = useTimeMode();
  const selectedId = useSelectedId();
  const { setTimeMode, openRecord, openImport } = useWorkspaceActions();
  const q = useQuery('queryPermissions', { filter });
  const [sort, setSort] = useState<SortState<PermissionColumn>>({ key: 'app', dir: 'asc' });
  const [grantedOnly, setGrantedOnly] = useState(false);
  const [sensitiveOnly, setSensitiveOnly] = useState(false);
  const items = q.data;
  const rows = useMemo(
    () =>
      items
        ? sortPermissions(
            filterPermissions(items, { grantedOnly, sensitiveOnly }),
            sort.key,
            sort.dir,
          )
        : [],
    [items, grantedOnly, sensitiveOnly, sort],
  );
  const counts = useMemo(() => countStatuses(rows), [rows]);
  const filtered = countActive(filter) > 0;

  return (
    <section className="view" data-testid="permissions-view" aria-label="Permissions">
      <div className="view-head">
        <h2>Permissions</h2>
        <TimeModeToggle mode={timeMode} onChange={setTimeMode} testIdPrefix="permissions" />
        {items && items.length > 0 ? (
          <div className="record-toggles">
            <label className="check">
              <input
                type="checkbox"
                checked={grantedOnly}
                data-testid="permissions-granted-only"
                onChange={(e) => setGrantedOnly(e.target.checked)}
              />
              Granted only
            </label>
            <label
              className="check"
              title="Photos, camera, microphone, contacts, location, screen recording, calendars, call log, SMS, body sensors"
            >
              <input
                type="checkbox"
                checked={sensitiveOnly}
                data-testid="permissions-sensitive-only"
                onChange={(e) => setSensitiveOnly(e.target.checked)}
              />
              Sensitive categories only
            </label>
          </div>
        ) : null}
        {q.loading ? <Spinner /> : null}
      </div>
      <p className="record-caveat">
        The state each app held when the backup or Android capture was made. “Granted” means the app
        was allowed to use the service, not that it did; the time is when the entry last changed
        (TCC.db) or when a location service last stopped for the app (locationd). Android’s{' '}
        <span className="mono">dumpsys package</span> records no time.
      </p>
      <ErrorBanner error={q.error} title="Permissions" />
      {items === null ? null : items.length === 0 ? (
        <EmptyState
          title={filtered ? 'No permissions match the filter' : 'No permission records yet'}
          testId="permissions-empty"
        >
          {filtered ? (
            <p>Loosen the filter to see permission records.</p>
          ) : (
            <>
              <p>
                Permission states come from iPhone backups: <span className="mono">TCC.db</span>{' '}
                (camera, microphone, photos, contacts and the other privacy services) and
                locationd’s client list (location authorisation).
              </p>
              <p>
                On Android they come from <span className="mono">dumpsys package</span> in a
                bugreport, an AndroidQF capture or a dumpsys folder.
              </p>
              <p>
                Choose <strong>Import…</strong> and give the folder of an iPhone backup (made by
                Finder, iTunes or idevicebackup2) or an Android capture; App Privacy Report exports
                hold no permissions.
              </p>
              <button type="button" className="btn btn-primary" onClick={() => openImport()}>
                Import…
              </button>
            </>
          )}
        </EmptyState>
      ) : (
        <>
          <div className="muted small" data-testid="permissions-count">
            {plural(rows.length, 'permission')} · {counts.granted} granted · {counts.limited}{' '}
            limited · {counts.denied} denied · {counts.unknown} undetermined
            {rows.length < items.length ? ` (of ${items.length})` : ''}
          </div>
          <div className="table-wrap">
            <RecordTable
              columns={COLUMNS}
              rows={rows}
              sort={sort}
              onSort={(k) => setSort((s) => nextSort(s, k, permissionDefaultDir(k)))}
              testIdPrefix="permissions"
              tableTestId="permissions-table"
              rowTestId="permission-row"
              rowData={(item) => ({ app: item.app, service: item.raw, status: item.status })}
              selectedId={selectedId}
              onOpen={openRecord}
              cell={(item, column) => <Cell item={item} column={column} timeMode={timeMode} />}
            />
            {rows.length === 0 ? (
              <p className="muted small permissions-none">
                No rows left: clear “Granted only” or “Sensitive categories only”.
              </p>
            ) : null}
          </div>
        </>
      )}
    </section>
  );
}
