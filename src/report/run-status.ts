import { hostname } from 'node:os';
import { processAlive } from '../sandbox/process-alive.js';
import type { RunManifest } from '../telemetry/index.js';

/**
 * A run's status as it stands: run.json says `running` until its process writes the end, so a
 * run whose process died (kill -9, a lost machine) would read as running forever. When run.json
 * names its owner on this machine and that process is gone, the run is `crashed` (resume it with
 * `run --resume`). An owner on another machine, or a run.json without one, keeps what it says.
 */
export function effectiveStatus(
  manifest: Pick<RunManifest, 'status' | 'owner'>,
  isAlive: (pid: number) => boolean = processAlive,
): string {
  if (manifest.status !== 'running' || !manifest.owner) return manifest.status;
  if (manifest.owner.host !== hostname()) return manifest.status;
  return isAlive(manifest.owner.pid) ? 'running' : 'crashed';
}
