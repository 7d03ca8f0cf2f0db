import { type SimServer, startSimServer } from '../sim/index.js';
import type { LoadedSuite } from '../tasks/index.js';

/** Starts the built-in sim in-process and teaches it every task's script. */
export async function startSimForSuite(suite: LoadedSuite): Promise<SimServer> {
  const server = await startSimServer({});
  for (const task of suite.tasks) {
    if (task.spec.sim) server.scripts.register(task.spec.instructions, task.spec.sim);
  }
  return server;
}
