import { startSimServer } from '../sim/index.js';
/** Starts the built-in sim in-process and teaches it every task's script. */
export async function startSimForSuite(suite) {
    const server = await startSimServer({});
    for (const task of suite.tasks) {
        if (task.spec.sim)
            server.scripts.register(task.spec.instructions, task.spec.sim);
    }
    return server;
}
//# sourceMappingURL=sim-host.js.map