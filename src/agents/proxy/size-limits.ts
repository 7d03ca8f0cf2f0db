/**
 * What the proxy takes from one sample's agent. The agent runs whatever the task makes it run, so
 * these bound what a hostile or broken one can make the run hold: memory (request bodies, and what
 * a compressed body or a WebSocket message expands to) and open sockets. A real model request is
 * far below them (a 1M-token context is ~4 MB of JSON).
 */

/** Largest request body (as sent, and once decompressed for the record) and WebSocket message: 64 MiB. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Connections one sample may hold open to the proxy at once; more are closed as they arrive. */
export const MAX_CONNECTIONS_PER_SAMPLE = 64;
