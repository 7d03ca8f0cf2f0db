import { hostname } from 'node:os';
import { ownIdentity } from './process-alive.js';

export const RUN_LABEL = 'turnbench.run';
export const SAMPLE_LABEL = 'turnbench.sample';
/** The machine and process that created a sandbox, so the sandboxes of dead runs can be reaped. */
export const HOST_LABEL = 'turnbench.host';
export const PID_LABEL = 'turnbench.pid';
/** When that process started (so a reused pid is not mistaken for it). */
export const PID_START_LABEL = 'turnbench.pid-start';
/** A label value in removeByLabels meaning "the label is present, whatever its value". */
export const ANY_LABEL_VALUE = '*';

let owner: { pid: number; labels: Readonly<Record<string, string>> } | null = null;

/**
 * The labels naming this process as the owner of a sandbox (machine, pid, start time). Read once
 * per process (a sandbox is labelled per sample; `hostname()` is a system call).
 */
export function ownerLabels(): Record<string, string> {
  if (owner?.pid !== process.pid) {
    const me = ownIdentity();
    owner = {
      pid: me.pid,
      labels: {
        [HOST_LABEL]: hostname(),
        [PID_LABEL]: String(me.pid),
        ...(me.start ? { [PID_START_LABEL]: me.start } : {}),
      },
    };
  }
  return { ...owner.labels };
}
