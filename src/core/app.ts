import type { CoreHandlers } from '../contract/api';
import type { EventEnvelope } from '../contract/bridge';

export interface CoreOptions {
  /** Folder for per-user state (recent cases). */
  userDataDir: string;
  host: 'electron' | 'devserver' | 'cli';
  version: string;
  /** URL of the bundled import worker; when absent the TypeScript source is run through tsx (tests, dev). */
  workerUrl?: URL;
  /** Where background work reports what went wrong (the app's log file); stderr when absent. */
  log?: (message: string, error?: unknown) => void;
}

export interface CoreApp {
  handlers: CoreHandlers;
  /** Subscribes to bridge events (import progress, case changes). */
  onEvent(listener: (envelope: EventEnvelope) => void): () => void;
  dispose(): Promise<void>;
}
