import { m0001Initial } from './0001-initial';
import { m0002SessionRollup } from './0002-session-rollup';
import { m0003DeviceIdentity } from './0003-device-identity';
import { m0004BackupRecords } from './0004-backup-records';
import { m0005Android } from './0005-android';
import { m0006Annotations } from './0006-annotations';
import { m0007AppPairings } from './0007-app-pairings';
import { m0008SessionStats } from './0008-session-stats';
import { m0009AuditPayloadHash } from './0009-audit-payload-hash';
import { m0010StoredFindings } from './0010-stored-findings';
import { m0011AppNames } from './0011-app-names';
import { m0012OpenSessions } from './0012-open-sessions';
import { m0013NetworkTime } from './0013-network-time';
import { m0014DayHours } from './0014-day-hours';
import { m0015NetworkLatest } from './0015-network-latest';
import { m0016NetworkSpans } from './0016-network-spans';
import { m0017DeviceStates } from './0017-device-states';
import { m0018SessionEvents } from './0018-session-events';
import { m0019SourceLines } from './0019-source-lines';
import { m0020SessionPlaces } from './0020-session-places';
import { m0021SessionStates } from './0021-session-states';
import { m0022NetworkGroups } from './0022-network-groups';
import { m0023NetworkRanks } from './0023-network-ranks';
import { m0024SessionAppCover } from './0024-session-app-cover';
import { m0025StoredKeyFindings } from './0025-stored-key-findings';
import { m0026StoredFindingsList } from './0026-stored-findings-list';
import { m0027SummaryGroups } from './0027-summary-groups';
import { m0028SummaryGroupsDurations } from './0028-summary-groups-durations';
import { m0029RollupHalfHours } from './0029-rollup-half-hours';
import { m0030DropSessionPlaces } from './0030-drop-session-places';
import { m0031StatsCheckpoints } from './0031-stats-checkpoints';
import { m0032SessionDeviceAnchor } from './0032-session-device-anchor';
import { m0033RollupTotals } from './0033-rollup-totals';
import type { Migration } from './types';

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  m0001Initial,
  m0002SessionRollup,
  m0003DeviceIdentity,
  m0004BackupRecords,
  m0005Android,
  m0006Annotations,
  m0007AppPairings,
  m0008SessionStats,
  m0009AuditPayloadHash,
  m0010StoredFindings,
  m0011AppNames,
  m0012OpenSessions,
  m0013NetworkTime,
  m0014DayHours,
  m0015NetworkLatest,
  m0016NetworkSpans,
  m0017DeviceStates,
  m0018SessionEvents,
  m0019SourceLines,
  m0020SessionPlaces,
  m0021SessionStates,
  m0022NetworkGroups,
  m0023NetworkRanks,
  m0024SessionAppCover,
  m0025StoredKeyFindings,
  m0026StoredFindingsList,
  m0027SummaryGroups,
  m0028SummaryGroupsDurations,
  m0029RollupHalfHours,
  m0030DropSessionPlaces,
  m0031StatsCheckpoints,
  m0032SessionDeviceAnchor,
  m0033RollupTotals,
];
