import type { CompactionConfig } from '../../config/index.js';
import type {
  ModelClient,
  ModelRequest,
  ModelResponse,
  NormalisedUsage,
  OutputItem,
  PromptItem,
} from '../../model/index.js';

export type CompactionMethod = Exclude<CompactionConfig['policy'], 'none'>;

export interface CompactionInput {
  /** The whole input as the next request would send it (preamble and history). */
  items: PromptItem[];
  /** Input tokens the provider reported for the turn just finished. */
  lastInputTokens: number;
  lastOutput: OutputItem[];
}

export interface CompactionContext {
  model: ModelClient;
  /** The turn's own request: compaction requests reuse its model, tools, instructions and settings. */
  request: ModelRequest;
  signal: AbortSignal;
  countTokens(items: readonly PromptItem[]): number;
  /** Record a model request the policy made (its usage counts toward the sample). */
  recordRequest(kind: 'compaction' | 'summary', request: CompactionRequestRecord): void;
}

export interface CompactionRequestRecord {
  response: Pick<ModelResponse, 'id' | 'usage' | 'latencyMs' | 'bytesSent' | 'ttftMs' | 'retries'>;
  itemCount: number;
}

export interface CompactionResult {
  method: CompactionMethod;
  items: PromptItem[];
  tokensBefore: number;
  tokensAfter: number;
  latencyMs: number;
  usage: NormalisedUsage | null;
}

/** One way of shrinking the history. Add a policy by writing one file and registering it in index.ts. */
export interface CompactionPolicy {
  readonly name: CompactionConfig['policy'];
  /** `context_management.compact_threshold` to send with each request (server-side compaction). */
  readonly serverThreshold: number | undefined;
  afterTurn(input: CompactionInput, ctx: CompactionContext): Promise<CompactionResult | null>;
}

/** The user and developer messages that open the conversation, before any model output. */
export function leadingMessages(items: readonly PromptItem[]): PromptItem[] {
  const out: PromptItem[] = [];
  for (const item of items) {
    if (!isInputMessage(item)) break;
    out.push(item);
  }
  return out;
}

function isInputMessage(item: PromptItem): boolean {
  return 'role' in item && (item.role === 'user' || item.role === 'developer' || item.role === 'system');
}

/**
 * The loop's request with the history and one closing item (a summary prompt, a compaction
 * trigger): same model, tools, instructions and settings, so it extends the cached prefix the
 * loop built instead of starting a new one. The request is recorded as the sample's.
 */
export async function sendClosingItem(
  ctx: CompactionContext,
  items: readonly PromptItem[],
  closing: PromptItem,
  kind: 'compaction' | 'summary',
): Promise<ModelResponse> {
  const {
    previousResponseId: _chain,
    comparisonResponseId: _compare,
    compactThreshold: _server,
    ...settings
  } = ctx.request;
  const input = [...items, closing];
  const response = await ctx.model.respond({ ...settings, input, store: false }, { signal: ctx.signal });
  ctx.recordRequest(kind, { response, itemCount: input.length });
  return response;
}
