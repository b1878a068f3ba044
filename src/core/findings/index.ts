export { resolveParams, ruleInfos, runFindings } from './engine';
export { EVIDENCE_CAP } from './common';
export { setStoredFindingParams, storedFindingParams } from './stored-params';
