/**
 * The recording thread (see record-thread.ts): one SampleRecorder per sample, fed the exchanges
 * the proxy finished; after each message it sends back what the message produced.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { emptyTotals, type SampleTotals } from '../../agent/totals.js';
import { costUsd, type Pricing, priceFor } from '../../config/index.js';
import type { NormalisedUsage } from '../../model/index.js';
import type { EventRecord, TurnRecord } from '../../telemetry/index.js';
import type { FromRecorder, ToRecorder } from './record-thread.js';
import { SampleRecorder } from './sample-recorder.js';

const port = parentPort;
if (!port) throw new Error('record-worker runs as a worker thread');
const pricing = (workerData as { pricing: Pricing }).pricing;
const prices = new Map<string, ReturnType<typeof priceFor>>();
const costOf = (model: string, usage: NormalisedUsage) => {
  if (!prices.has(model)) prices.set(model, priceFor(pricing, model));
  return costUsd(prices.get(model) ?? null, usage);
};

interface Open {
  recorder: SampleRecorder;
  turns: TurnRecord[];
  events: EventRecord[];
  totals: SampleTotals;
  usagesSent: number;
}

const samples = new Map<string, Open>();

port.on('message', (message: ToRecorder) => {
  if (message.type === 'open') {
    const turns: TurnRecord[] = [];
    const events: EventRecord[] = [];
    const totals = emptyTotals();
    const recorder = new SampleRecorder({
      identity: message.identity,
      provider: message.provider,
      costOf,
      sink: { turn: (t) => turns.push(t), event: (e) => events.push(e) },
      totals,
      limits: message.limits,
      // limits are enforced where requests are admitted, in the proxy's thread
      onLimit: () => {},
    });
    samples.set(message.sampleId, { recorder, turns, events, totals, usagesSent: 0 });
    return;
  }
  const open = samples.get(message.sampleId);
  if (!open) return;
  try {
    switch (message.type) {
      case 'finish':
        open.recorder.finish(message.exchange, message.request, message.outcome);
        break;
      case 'retry':
        open.recorder.retryNotice(message.notice);
        break;
      case 'note':
        open.recorder.note(message.message);
        break;
      case 'close':
        open.recorder.close();
        break;
    }
  } catch (error) {
    // A throw here would end the thread, and with it the recording of every sample of the run.
    open.recorder.note(`recording failed: ${(error as Error).message}`);
  } finally {
    if (message.type === 'close') samples.delete(message.sampleId);
  }
  const answer: FromRecorder = {
    sampleId: message.sampleId,
    turns: open.turns.splice(0),
    events: open.events.splice(0),
    usages: open.recorder.usages.slice(open.usagesSent),
    totals: { ...open.totals },
    agentTurns: open.recorder.agentTurnCount,
  };
  open.usagesSent = open.recorder.usages.length;
  port.postMessage(answer);
});
