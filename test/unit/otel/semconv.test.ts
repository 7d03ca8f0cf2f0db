import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { ATTR, EVALUATION_EVENT, OPERATION } from '../../../src/otel/semconv.js';

/** The names turnbench copies must be the ones the OpenTelemetry package defines. */
describe('GenAI semantic-convention names', () => {
  const expected: Record<keyof typeof ATTR, string> = {
    operationName: incubating.ATTR_GEN_AI_OPERATION_NAME,
    providerName: incubating.ATTR_GEN_AI_PROVIDER_NAME,
    agentName: incubating.ATTR_GEN_AI_AGENT_NAME,
    conversationId: incubating.ATTR_GEN_AI_CONVERSATION_ID,
    requestModel: incubating.ATTR_GEN_AI_REQUEST_MODEL,
    responseId: incubating.ATTR_GEN_AI_RESPONSE_ID,
    responseModel: incubating.ATTR_GEN_AI_RESPONSE_MODEL,
    timeToFirstChunk: incubating.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    inputTokens: incubating.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    cacheReadInputTokens: incubating.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    cacheCreationInputTokens: incubating.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    outputTokens: incubating.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    reasoningOutputTokens: incubating.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    toolName: incubating.ATTR_GEN_AI_TOOL_NAME,
    toolCallId: incubating.ATTR_GEN_AI_TOOL_CALL_ID,
    toolType: incubating.ATTR_GEN_AI_TOOL_TYPE,
    outputMessages: incubating.ATTR_GEN_AI_OUTPUT_MESSAGES,
    evaluationName: incubating.ATTR_GEN_AI_EVALUATION_NAME,
    evaluationScoreValue: incubating.ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
    evaluationScoreLabel: incubating.ATTR_GEN_AI_EVALUATION_SCORE_LABEL,
    evaluationExplanation: incubating.ATTR_GEN_AI_EVALUATION_EXPLANATION,
    errorType: incubating.ATTR_ERROR_TYPE,
  };

  it('attributes', () => {
    expect(ATTR).toEqual(expected);
  });

  it('operations and the evaluation event', () => {
    expect(OPERATION).toEqual({
      invokeAgent: incubating.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      chat: incubating.GEN_AI_OPERATION_NAME_VALUE_CHAT,
      executeTool: incubating.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    });
    expect(EVALUATION_EVENT).toBe(incubating.EVENT_GEN_AI_EVALUATION_RESULT);
  });
});
