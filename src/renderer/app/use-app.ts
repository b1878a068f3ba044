import { useContext } from 'react';
import { AppContext, type AppContextValue } from './app-context';

/** The app-wide client, case and refresh version. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp must be used inside the app shell');
  return value;
}
