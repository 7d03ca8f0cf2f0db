import type { ResponseFormatTextJSONSchemaConfig } from 'openai/resources/responses/responses';
import type { ModelScorer } from '../config/index.js';
import type { GradeResponse } from '../model/index.js';
import { SandboxUnavailableError } from '../sandbox/core.js';
import type { SampleGrade } from '../telemetry/index.js';
import {
  GRADE_FORMAT_NAME,
  type GradeAnswer,
  GradeAnswerSchema,
  type GradingFile,
  gradingPrompt,
} from './model-prompt.js';
import { GraderUnavailableError, type ScoreInput, type ScorerImpl } from './types.js';

/** The structured-output format, built on first use (the helper is only loaded when a model scorer runs). */
let gradeFormat: Promise<ResponseFormatTextJSONSchemaConfig> | null = null;
function format(): Promise<ResponseFormatTextJSONSchemaConfig> {
  gradeFormat ??= import('openai/helpers/zod').then(({ zodTextFormat }) =>
    zodTextFormat(GradeAnswerSchema, GRADE_FORMAT_NAME),
  );
  return gradeFormat;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/** The grader's answer text as a grade, or a one-line reason it is not one. */
export function parseGradeAnswer(text: string): GradeAnswer | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return `grader answer is not JSON: ${JSON.stringify(text.slice(0, 120))}`;
  }
  const parsed = GradeAnswerSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `grader answer: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
}

async function readFiles(spec: ModelScorer, input: ScoreInput): Promise<GradingFile[]> {
  const files: GradingFile[] = [];
  for (const path of spec.include_files) {
    const content = await input.sandbox.readFile(path).catch((error: unknown) => {
      if (error instanceof SandboxUnavailableError) throw error;
      return null; // a file the agent did not write is shown to the grader as missing
    });
    files.push({ path, content });
  }
  return files;
}

/** A model grades the agent's answer against the rubric; pass when the grade reaches the threshold. */
export const modelScorer: ScorerImpl<ModelScorer> = {
  type: 'model',
  async score(spec, input) {
    if (!input.graders) return { passed: false, score: 0, detail: 'model scorer: no grader available' };
    const startedAt = new Date();
    const base = {
      scorer: input.scorerIndex ?? 0,
      model: spec.model,
      provider: spec.provider,
      started_at: startedAt.toISOString(),
    };
    let response: GradeResponse | null = null;
    let failure: string | null = null;
    let answer: GradeAnswer | null = null;
    const prompt = gradingPrompt(
      spec.rubric,
      input.taskText,
      input.finalAnswer,
      await readFiles(spec, input),
    );
    try {
      response = await input.graders.clientFor(spec).grade(
        {
          model: spec.model,
          ...prompt,
          format: await format(),
          timeoutMs: spec.timeout_s * 1000,
        },
        input.signal,
      );
    } catch (error) {
      // The grader could not be asked (its provider down, after retries): that is no grade of the
      // agent's work, and the sample must not be scored on it.
      if (input.signal?.aborted) throw error;
      throw new GraderUnavailableError(`grader ${spec.model}: ${errorText(error)}`);
    }
    const parsed = parseGradeAnswer(response.text);
    if (typeof parsed === 'string') failure = parsed;
    else answer = parsed;
    const usage = response?.usage;
    const passed = answer !== null && answer.score >= spec.pass_threshold;
    const grade: SampleGrade = {
      ...base,
      latency_ms: response?.latencyMs ?? Date.now() - startedAt.getTime(),
      response_id: response?.id ?? null,
      score: answer?.score ?? null,
      passed,
      explanation: answer?.explanation ?? null,
      error: failure,
      input_tokens: usage?.inputTokens ?? 0,
      cached_tokens: usage ? usage.cachedTokens : 0,
      cache_write_tokens: usage ? usage.cacheWriteTokens : 0,
      cache_write_12h_tokens: usage ? usage.cacheWrite12hTokens : 0,
      output_tokens: usage?.outputTokens ?? 0,
      reasoning_tokens: usage ? usage.reasoningTokens : 0,
      cost_usd: usage ? input.graders.costOf(spec.model, usage) : 0,
    };
    const detail = answer
      ? `grade ${answer.score.toFixed(2)} ${passed ? '>=' : '<'} ${spec.pass_threshold} (${spec.model}): ${answer.explanation}`
      : (failure ?? 'grader gave no answer');
    return { passed, score: answer?.score ?? 0, detail, grades: [grade] };
  },
};
