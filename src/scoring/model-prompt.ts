import * as z from 'zod';
import type { PromptItem } from '../model/index.js';

/** The name of the structured-output format a grading request asks for. */
export const GRADE_FORMAT_NAME = 'turnbench_grade';

/** What a grader must answer; the answer is model output, so it is parsed, never trusted. */
export const GradeAnswerSchema = z
  .object({
    score: z.number().min(0).max(1).describe('0 = fails the rubric, 1 = fully meets it'),
    explanation: z.string().describe('one or two sentences on why'),
  })
  .strict();
export type GradeAnswer = z.infer<typeof GradeAnswerSchema>;

const FILE_CHARS = 20_000;

export interface GradingFile {
  path: string;
  /** null when the file could not be read (missing, say). */
  content: string | null;
}

/**
 * The grading request: the rubric in the instructions, then the task as the agent received it
 * (its own user message, verbatim, which is also how the sim finds the task's `grade` entry),
 * then the agent's final answer and the files the scorer asks to show.
 */
export function gradingPrompt(
  rubric: string,
  taskText: string,
  finalAnswer: string | null,
  files: readonly GradingFile[],
): { instructions: string; input: PromptItem[] } {
  const instructions = [
    'You grade the work of an AI coding agent against a rubric.',
    'You are given the task the agent received, its final answer and, when asked for, files from its working directory.',
    'Answer with JSON only: {"score": a number from 0 (fails the rubric) to 1 (fully meets it), "explanation": one or two sentences}.',
    '',
    'Rubric:',
    rubric,
  ].join('\n');
  const shown = files.map((f) => {
    const body = f.content === null ? '(missing)' : clip(f.content);
    return `--- ${f.path} ---\n${body}`;
  });
  const answer = [
    "The agent's final answer:",
    finalAnswer ?? '(none: the agent stopped without a final answer)',
    ...(shown.length > 0 ? ['', 'Files in the working directory after the agent stopped:', ...shown] : []),
  ].join('\n');
  return {
    instructions,
    input: [
      { role: 'developer', content: 'The next user message is the task the agent was given, verbatim.' },
      { role: 'user', content: taskText },
      { role: 'user', content: answer },
    ],
  };
}

function clip(text: string): string {
  return text.length > FILE_CHARS
    ? `${text.slice(0, FILE_CHARS)}\n… (${text.length - FILE_CHARS} more characters)`
    : text;
}
