export {
  findingsWithEvidence,
  resolveParams,
  ruleInfos,
  runFindings,
  type FindingsOptions,
} from './engine';
export { EVIDENCE_CAP } from './common';
export { setStoredFindingParams, storedFindingParams } from './stored-params';
export {
  findingsNeedRefresh,
  FindingsPendingError,
  refreshFindings,
  servedByStoredFindings,
  serveStoredFindingsOnly,
  staleFindingDevices,
  whenDerivedDropped,
  type RefreshControl,
} from './stored';
