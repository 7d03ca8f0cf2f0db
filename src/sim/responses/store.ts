import type { Response } from 'openai/resources/responses/responses';
import { WeightedLru } from '../../util/lru.js';
import { badRequest } from '../http/errors.js';
import type { InputItem } from './schema.js';

/** A `background: true` response: when its simulated work is done, and whether it was cancelled. */
export interface BackgroundRun {
  /** `ctx.now()` from which the response is finished (its create time plus its latency). */
  readyAt: number;
  cancelled: boolean;
}

export interface StoredResponse {
  previousId: string | null;
  /** The request's own new input items, as it sent them. */
  input: InputItem[];
  /** The id the API gives each input item (the item's own when it came with one). */
  inputIds: string[];
  output: InputItem[];
  /** The response as it ended (as create returned it, or as cancelled). */
  response: Response;
  background: BackgroundRun | null;
  /** Created with `stream: true`: a background one's events can be streamed again. */
  streamed: boolean;
}

/** Bytes an entry is weighed at, beyond its request body: its output and input ids. */
export function storedWeight(requestBytes: number, output: readonly unknown[], inputCount: number): number {
  return requestBytes + JSON.stringify(output).length + inputCount * 32;
}

/** One item of a response's input, with the id the API lists it under. */
export interface ListedInput {
  id: string;
  item: InputItem;
}

/**
 * Responses kept when `store` is not false (as the real API defaults), for `previous_response_id`,
 * retrieve, input items, cancel and delete: one LRU, bounded by the bytes of the requests and
 * outputs it holds (512 MB), the least recently used going first. Each response keeps only its own
 * new input and output; a chain is walked through `previousId`.
 */
export class ResponseStore {
  private readonly lru: WeightedLru<string, StoredResponse>;

  constructor(maxBytes = 512 * 1024 * 1024) {
    this.lru = new WeightedLru(maxBytes);
  }

  save(id: string, entry: StoredResponse, weightBytes: number): void {
    this.lru.set(id, entry, Math.max(1, weightBytes));
  }

  get(id: string): StoredResponse | undefined {
    return this.lru.get(id);
  }

  /** True when the response was held (and is now gone). */
  delete(id: string): boolean {
    if (this.lru.peek(id) === undefined) return false;
    this.lru.delete(id);
    return true;
  }

  /** The full item history a `previous_response_id` stands for (oldest first). */
  history(previousId: string): InputItem[] {
    const items: InputItem[] = [];
    for (const r of this.chain(previousId, true)) {
      for (const it of r.input) items.push(it);
      for (const it of r.output) items.push(it);
    }
    return items;
  }

  /**
   * The items a response was generated from, oldest first, each with its id: the input and output
   * of every response it chains to, then its own input. A link of the chain deleted or evicted
   * since ends the walk there (the items still held are listed).
   */
  inputItems(entry: StoredResponse): ListedInput[] {
    const listed: ListedInput[] = [];
    const own = (r: StoredResponse) => {
      r.input.forEach((item, i) => {
        listed.push({ id: r.inputIds[i] as string, item });
      });
    };
    if (entry.previousId) {
      for (const r of this.chain(entry.previousId, false)) {
        own(r);
        for (const item of r.output) listed.push({ id: (item as { id?: string }).id ?? '', item });
      }
    }
    own(entry);
    return listed;
  }

  /** The responses from `id` back to the start of its chain, oldest first. */
  private chain(id: string, strict: boolean): StoredResponse[] {
    const chain: StoredResponse[] = [];
    let next: string | null = id;
    while (next) {
      const r = this.lru.get(next);
      if (!r) {
        if (!strict) break;
        throw badRequest(
          `Previous response with id '${next}' not found.`,
          'previous_response_id',
          'previous_response_not_found',
        );
      }
      chain.push(r);
      next = r.previousId;
    }
    return chain.reverse();
  }
}
