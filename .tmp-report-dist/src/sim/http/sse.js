import { sleep } from '../util/sleep.js';
function frame(e) {
    const data = `data: ${JSON.stringify(e.data)}\n\n`;
    return e.name ? `event: ${e.name}\n${data}` : data;
}
/**
 * Write SSE events. Without latency the whole stream is written in one go (cheap at high
 * concurrency); with latency, events are flushed as their simulated time arrives.
 */
export async function writeSse(res, events, plan) {
    res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
    });
    const limit = plan.cutAfter ?? events.length;
    const paced = plan.latency.ttftMs > 0 || plan.latency.perOutputTokenMs > 0;
    if (!paced) {
        let out = '';
        for (let i = 0; i < limit; i++)
            out += frame(events[i]);
        if (plan.cutAfter !== null) {
            res.write(out, () => res.destroy());
            return;
        }
        res.end(plan.done ? out + plan.done : out);
        return;
    }
    for (let i = 0; i < limit; i++) {
        if (res.destroyed)
            return;
        const e = events[i];
        let wait = e.outputTokens * plan.latency.perOutputTokenMs;
        if (e.firstOutput)
            wait += plan.latency.ttftMs;
        await sleep(wait);
        res.write(frame(e));
    }
    if (plan.cutAfter !== null) {
        res.destroy();
        return;
    }
    res.end(plan.done ?? undefined);
}
//# sourceMappingURL=sse.js.map