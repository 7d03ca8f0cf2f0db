/**
 * The SDK types whose fields `sdk-types.ts` lists with the TypeScript compiler API: the sim's
 * wire objects must carry every field these declare.
 */
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';

export type ProbeResponse = Response;
export type ProbeStreamEvent = ResponseStreamEvent;
