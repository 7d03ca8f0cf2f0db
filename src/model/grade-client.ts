import OpenAI from 'openai';
import type { ResponseFormatTextJSONSchemaConfig } from 'openai/resources/responses/responses';
import { withRetries } from './retry.js';
import type { NormalisedUsage, PromptItem } from './types.js';
import { normaliseResponsesUsage } from './usage.js';

export interface GradeRequest {
  model: string;
  instructions: string;
  input: PromptItem[];
  /** The JSON schema the answer must follow (structured output). */
  format: ResponseFormatTextJSONSchemaConfig;
  timeoutMs: number;
}

export interface GradeResponse {
  id: string;
  /** The model's answer text (JSON, when the model kept to the format). */
  text: string;
  usage: NormalisedUsage;
  latencyMs: number;
  retries: number;
}

export interface GradeEndpoint {
  baseURL: string;
  apiKey: string;
  provider: string;
  headers?: Record<string, string>;
}

/**
 * One request to a grader model: the Responses API, not streamed, with a JSON-schema
 * `text.format` so the answer is machine-readable. Retried like the agent's requests.
 */
export class GradeClient {
  readonly provider: string;
  private readonly client: OpenAI;

  constructor(endpoint: GradeEndpoint) {
    this.provider = endpoint.provider;
    this.client = new OpenAI({
      baseURL: endpoint.baseURL,
      apiKey: endpoint.apiKey,
      maxRetries: 0,
      defaultHeaders: endpoint.headers,
    });
  }

  async grade(req: GradeRequest, signal?: AbortSignal): Promise<GradeResponse> {
    const started = performance.now();
    const { value, retries } = await withRetries(
      () =>
        this.client.responses.create(
          {
            model: req.model,
            instructions: req.instructions,
            input: req.input,
            text: { format: req.format },
            store: false,
          },
          { signal, timeout: req.timeoutMs },
        ),
      { signal },
    );
    return {
      id: value.id,
      text: value.output_text,
      usage: normaliseResponsesUsage(value.usage),
      latencyMs: performance.now() - started,
      retries,
    };
  }
}
