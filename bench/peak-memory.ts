// Peak resident memory of this process. `process.resourceUsage().maxRSS` (getrusage) keeps the
// figure across exec, so a fresh child spawned by a large process starts at its parent's RSS;
// Linux's VmHWM belongs to the process image and starts at zero.
import { readFileSync, writeFileSync } from 'node:fs';

/** The peak resident memory in MB since the process started or since `resetPeakMemory`. */
export function peakMemoryMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // Not Linux: the rusage figure.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Starts a new peak from the current resident memory; false where the system cannot. */
export function resetPeakMemory(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
