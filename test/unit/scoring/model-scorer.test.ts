import { describe, expect, test } from 'vitest';
import { combineScores } from '../../../src/scoring/index.js';
import { parseGradeAnswer } from '../../../src/scoring/model.js';

describe('parseGradeAnswer (the grader answer is model output: parsed, never trusted)', () => {
  test('a well-formed answer', () => {
    expect(parseGradeAnswer('{"score":0.5,"explanation":"half"}')).toEqual({
      score: 0.5,
      explanation: 'half',
    });
  });
  test('not JSON', () => {
    expect(parseGradeAnswer('Looks good!')).toBe('grader answer is not JSON: "Looks good!"');
  });
  test('a score out of range names the field', () => {
    expect(parseGradeAnswer('{"score":7,"explanation":"x"}')).toMatch(/^grader answer: score: /);
  });
  test('a missing field names it', () => {
    expect(parseGradeAnswer('{"score":1}')).toMatch(/^grader answer: explanation: /);
  });
});

describe('combineScores (a list of scorers)', () => {
  const command = { type: 'command' as const, command: 'true', timeout_s: 60, files: [] };
  const match = { type: 'match' as const, mode: 'contains' as const, expected: 'x', ignore_case: false };
  test('one scorer is passed through unchanged', () => {
    const only = { passed: true, score: 1, detail: 'exit 0' };
    expect(combineScores([command], [only])).toBe(only);
  });
  test('passes only when every scorer passes; the score is the mean', () => {
    const combined = combineScores(
      [command, match],
      [
        { passed: true, score: 1, detail: 'exit 0' },
        { passed: false, score: 0, detail: 'no match' },
      ],
    );
    expect(combined).toEqual({
      passed: false,
      score: 0.5,
      detail: '[1/2 command pass] exit 0\n[2/2 match fail] no match',
    });
  });
});
