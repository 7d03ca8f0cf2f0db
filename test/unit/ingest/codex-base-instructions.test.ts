import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { sendsBaseInstructionsAsItem } from '../../../src/ingest/codex/base-instructions.js';
import type { IngestedRequest } from '../../../src/ingest/types.js';
import {
  countO200kTokens,
  fingerprintItems,
  hashText,
  renderedResponsesItem,
} from '../../../src/telemetry/index.js';
import { build, fixture, requestsOf } from './helpers.js';

/**
 * Logs and request bodies of the real Codex CLI, each release run against the sim through a relay
 * that kept what Codex sent (test/fixtures/codex/README.md).
 */
interface CapturedRequest {
  model: string;
  instructions?: string;
  input: object[];
}

const captured = (name: string) => ({
  log: fixture('base-instructions', `${name}.jsonl`),
  bodies: JSON.parse(
    readFileSync(fixture('base-instructions', `${name}.requests.json`), 'utf8'),
  ) as CapturedRequest[],
});

/** What the provider renders of each item Codex sent, fingerprinted as ingest fingerprints a log's items. */
const sentHashes = (body: CapturedRequest) =>
  fingerprintItems(body.input.map(renderedResponsesItem), countO200kTokens).hashes;

const hashesOf = (request: IngestedRequest) => request.prompt?.fingerprint.itemHashes ?? [];

describe("Codex's base instructions in the rebuilt request", () => {
  test('up to 0.161 (and 0.162.0-alpha.15) they are `instructions`; from 0.162.0 the first developer item of `input`', async () => {
    const versions = [
      { name: 'codex-0.161.0', asItem: false },
      { name: 'codex-0.162.0-alpha.15', asItem: false },
      { name: 'codex-0.162.0', asItem: true },
    ];
    const read = await Promise.all(
      versions.map(async (v) => ({
        ...v,
        ...captured(v.name),
        requests: await requestsOf(captured(v.name).log),
      })),
    );
    // as many items as Codex sent: one more from 0.162.0 on than the log's history holds
    for (const { name, bodies, requests } of read)
      expect(
        requests.map((r) => r.itemCount),
        name,
      ).toEqual(bodies.map((b) => b.input.length));
    for (const { name, asItem, bodies, requests } of read) {
      requests.forEach((request, i) => {
        const body = bodies[i]!;
        expect('instructions' in body, name).toBe(!asItem);
        // each item the one Codex sent (the leading one is rebuilt from the log: not compared)
        const lead = asItem ? 1 : 0;
        expect(hashesOf(request).slice(lead), `${name} request ${i + 1}`).toEqual(
          sentHashes(body).slice(lead),
        );
        const instructions = request.prompt?.fingerprint.instructionsHash;
        if (asItem) {
          expect(instructions, name).toBe(hashText(''));
          expect(request.prompt?.fingerprint.itemDigests[0]?.label).toBe('message/developer');
        } else expect(instructions, name).not.toBe(hashText(''));
      });
      // the leading item is the same on every request of the session
      if (asItem) expect(new Set(requests.map((r) => hashesOf(r)[0])).size).toBe(1);
    }
  });

  test('no item in front where the history holds the base instructions: from the start, or after a model switch compacted into such a history', async () => {
    // gpt-5.5 for a task (the item in front), then `resume -m gpt-6-luna`: Codex compacts inline and
    // the replacement history holds the new model's base instructions
    const switched = captured('codex-0.171.0-model-switch');
    const requests = await requestsOf(switched.log);
    expect(requests.map((r) => [r.kind, r.model])).toEqual([
      ['agent', 'gpt-5.5'],
      ['agent', 'gpt-5.5'],
      ['agent', 'gpt-5.5'],
      ['summary', 'gpt-5.5'],
      ['agent', 'gpt-6-luna'],
    ]);
    const before = requests.slice(0, 3);
    before.forEach((request, i) => {
      expect(request.itemCount).toBe(switched.bodies[i]!.input.length);
      expect(hashesOf(request).slice(1)).toEqual(sentHashes(switched.bodies[i]!).slice(1));
    });
    expect(new Set(before.map((r) => hashesOf(r)[0])).size).toBe(1);
    const after = requests[4]!;
    expect(after.itemCount).toBe(switched.bodies[4]!.input.length);
    expect(hashesOf(after)).toEqual(sentHashes(switched.bodies[4]!));

    // gpt-6-luna keeps them in the history (a developer message marked `model.base_instructions`)
    const inHistory = captured('codex-0.171.0-in-history');
    const fromStart = await requestsOf(inHistory.log);
    expect(fromStart).toHaveLength(inHistory.bodies.length);
    fromStart.forEach((request, i) => {
      expect(request.itemCount).toBe(inHistory.bodies[i]!.input.length);
      expect(hashesOf(request)).toEqual(sentHashes(inHistory.bodies[i]!));
    });
  });

  test.each(['trigger', 'summary'])(
    "%s: item_count and diverged_at are the recording proxy's, request by request",
    async (variant) => {
      interface ProxiedTurn {
        kind: string;
        response_id: string;
        item_count: number;
        extends_previous: boolean | null;
        diverged_at: number | string | null;
        reason: string | null;
      }
      const proxied = JSON.parse(
        readFileSync(fixture('v0.171-live', `${variant}.proxy.json`), 'utf8'),
      ) as ProxiedTurn[];
      const { turns, warnings } = await build([{ file: fixture('v0.171-live', `${variant}.jsonl`) }]);
      expect(warnings).toEqual([]);
      const byResponse = new Map(turns.map((t) => [t.response_id, t]));
      const agent = proxied.filter((p) => p.kind === 'agent');
      // compactions included: after each, the prompt diverges at the first item past the context
      expect(agent.filter((p) => p.reason === 'compacted').length).toBe(2);
      for (const p of agent) {
        const t = byResponse.get(p.response_id);
        expect(t, p.response_id).toBeDefined();
        expect([t!.item_count, t!.prefix.diverged_at, t!.prefix.reason], p.response_id).toEqual([
          p.item_count,
          p.diverged_at,
          p.reason,
        ]);
        // the proxy saw the WebSocket warm-up the log does not hold: the first request extends it there
        if (t!.prefix.extends_previous !== null)
          expect(t!.prefix.extends_previous, p.response_id).toBe(p.extends_previous);
      }
    },
  );

  test.each([
    [null, false],
    ['', false],
    ['0.46.0', false],
    ['0.161.0', false],
    ['0.162.0-alpha.15', false],
    ['0.162.0', true],
    ['0.162.1', true],
    ['0.163.0-alpha.2', true],
    ['0.171.0', true],
    ['1.0.0', true],
    ['0.0.0', false],
    ['dev', false],
  ])('version %j sends the base instructions as an item: %s', (version, expected) => {
    expect(sendsBaseInstructionsAsItem(version)).toBe(expected);
  });
});
