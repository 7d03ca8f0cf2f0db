import type { InputItem } from './schema.js';

/**
 * The response state a WebSocket connection keeps in memory: its most recent response per lane,
 * with the full item history that response stands for. It lets a `previous_response_id` chain
 * continue with `store: false` on the same connection, as the real API's WebSocket mode does.
 */
export interface ResponseSession {
  /** The full history (input then output) behind `id`, when this connection still holds it. */
  history(id: string): InputItem[] | undefined;
  /** Keep `id` as its lane's most recent response. */
  remember(id: string, items: InputItem[]): void;
}
