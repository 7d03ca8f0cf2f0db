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

/** The labels naming this process as the owner of a sandbox (machine, pid, start time). */
export function ownerLabels(): Record<string, string> {
  const me = ownIdentity();
  return {
    [HOST_LABEL]: hostname(),
    [PID_LABEL]: String(me.pid),
    ...(me.start ? { [PID_START_LABEL]: me.start } : {}),
  };
}
