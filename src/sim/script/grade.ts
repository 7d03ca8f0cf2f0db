import * as z from 'zod';
import { badRequest } from '../http/errors.js';
import type { ConversationView } from './conversation.js';
import { findScript } from './plan.js';
import type { SimScriptRegistry } from './registry.js';

/** The structured-output format turnbench's model scorer asks for (scoring/model-prompt.ts). */
const GRADE_FORMAT = z.looseObject({ type: z.literal('json_schema'), name: z.literal('turnbench_grade') });

/** True when a request's `text.format` is a turnbench grading request. */
export function isGradeRequest(format: unknown): boolean {
  return GRADE_FORMAT.safeParse(format).success;
}

/**
 * A deterministic grade from the task's `sim.grade` entry. The grading request carries the task
 * text as a user message of its own (that finds the script) and the agent's answer as the last
 * user message (that `pass_if_answer_contains` looks at). The answer is the JSON the format asks for.
 */
export function planGrade(view: ConversationView, registry: SimScriptRegistry): string {
  const found = findScript(view, registry);
  const grade = found?.script.grade;
  if (!found || !grade) {
    throw badRequest(
      'the sim grades only tasks whose sim script has a `grade` entry (none found for this request)',
      'text.format',
    );
  }
  const answer = view.lastUserText ?? '';
  const pass = grade.pass_if_answer_contains === undefined || answer.includes(grade.pass_if_answer_contains);
  return JSON.stringify(
    pass
      ? { score: grade.score, explanation: grade.explanation }
      : { score: 0, explanation: grade.fail_explanation },
  );
}
