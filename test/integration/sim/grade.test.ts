import { zodTextFormat } from 'openai/helpers/zod';
import { afterEach, describe, expect, test } from 'vitest';
import { SimScriptSchema } from '../../../src/config/index.js';
import { GradeClient } from '../../../src/model/index.js';
import { GRADE_FORMAT_NAME, GradeAnswerSchema, gradingPrompt } from '../../../src/scoring/index.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TASK = 'Compute 6 times 7 and say the result.';

async function grade(answer: string, withGrade = true) {
  sim = await startSimServer({});
  sim.scripts.register(
    TASK,
    SimScriptSchema.parse({
      final: 'x',
      ...(withGrade
        ? { grade: { pass_if_answer_contains: '42', explanation: 'states 42', fail_explanation: 'no 42' } }
        : {}),
    }),
  );
  const client = new GradeClient({ baseURL: sim.url, apiKey: 'sim', provider: 'sim' });
  const prompt = gradingPrompt('The answer must state 42.', TASK, answer, []);
  return client.grade({
    model: 'sim-1',
    ...prompt,
    format: zodTextFormat(GradeAnswerSchema, GRADE_FORMAT_NAME),
    timeoutMs: 10_000,
  });
}

describe('the sim as a grader (Responses API, json_schema text format, real openai SDK)', () => {
  test('a passing answer gets the grade of the task script, as JSON that the grade schema accepts', async () => {
    const response = await grade('The result is 42.');
    expect(GradeAnswerSchema.parse(JSON.parse(response.text))).toEqual({
      score: 1,
      explanation: 'states 42',
    });
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  test('a failing answer gets 0 and the fail explanation', async () => {
    const response = await grade('No idea.');
    expect(JSON.parse(response.text)).toEqual({ score: 0, explanation: 'no 42' });
  });

  test('a task without a grade entry is a clear 400, not a made-up grade', async () => {
    await expect(grade('The result is 42.', false)).rejects.toThrow(
      /sim grades only tasks whose sim script has a `grade` entry/,
    );
  });
});
