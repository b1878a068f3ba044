import { createContext } from 'react';
import type { AppInfo, CaseInfo } from '../../contract/api';
import type { Client } from '../transport/client';
import type { Activity } from './activity';

export interface AppContextValue {
  client: Client;
  activity: Activity;
  info: AppInfo;
  caseInfo: CaseInfo | null;
  /** Bumped whenever stored data may have changed; every query depends on it. */
  version: number;
  /** Re-queries everything (after imports, edits, or a case-changed event). */
  invalidate(): void;
  setCaseInfo(info: CaseInfo | null): void;
}

export const AppContext = createContext<AppContextValue | null>(null);
