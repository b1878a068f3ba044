/**
 * Resolves two turns of the event loop later. A signal that arrived while the current callback
 * ran is read in the next turn's poll phase, so its handler has run by then (one turn is not
 * enough: the check phase of the current turn comes before that poll).
 */
export function afterPendingSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
