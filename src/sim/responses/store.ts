import { badRequest } from '../http/errors.js';
import { WeightedLru } from '../util/lru.js';
import type { InputItem } from './schema.js';

interface StoredResponse {
  previousId: string | null;
  input: InputItem[];
  output: InputItem[];
}

/**
 * Responses kept for `previous_response_id` (when `store` is not false, as the real API
 * defaults), as a linked list: each keeps only its own new input and output. Bounded by
 * request bytes.
 */
export class ResponseStore {
  private readonly lru = new WeightedLru<string, StoredResponse>(512 * 1024 * 1024);

  save(
    id: string,
    previousId: string | null,
    input: InputItem[],
    output: InputItem[],
    weightBytes: number,
  ): void {
    this.lru.set(id, { previousId, input, output }, Math.max(1, weightBytes));
  }

  /** The full item history a `previous_response_id` stands for (oldest first). */
  history(previousId: string): InputItem[] {
    const chain: StoredResponse[] = [];
    let id: string | null = previousId;
    while (id) {
      const r = this.lru.get(id);
      if (!r) {
        throw badRequest(
          `Previous response with id '${id}' not found.`,
          'previous_response_id',
          'previous_response_not_found',
        );
      }
      chain.push(r);
      id = r.previousId;
    }
    const items: InputItem[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const r = chain[i] as StoredResponse;
      for (const it of r.input) items.push(it);
      for (const it of r.output) items.push(it);
    }
    return items;
  }
}
