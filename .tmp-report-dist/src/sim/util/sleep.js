import { setTimeout as delay } from 'node:timers/promises';
export async function sleep(ms) {
    if (ms > 0)
        await delay(ms);
}
//# sourceMappingURL=sleep.js.map