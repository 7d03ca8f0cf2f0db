import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/index.js';
import { placeholdersIn, renderTemplate } from '../../../src/tasks/index.js';

const where = { file: '/abs/task.yaml', field: 'instructions', line: 3 };

describe('renderTemplate', () => {
  it('replaces placeholders, with or without inner spaces, every time they occur', () => {
    expect(renderTemplate('{{a}} + {{ b }} = {{a}}{{b}}', { a: '1', b: '2' }, where)).toBe('1 + 2 = 12');
  });

  it('leaves the runtime placeholders {{now}}, {{turn}} and {{i}} untouched', () => {
    const text = 'at {{now}} turn {{ turn }} step {{i}} of {{n}}';
    expect(renderTemplate(text, { n: '3' }, where)).toBe('at {{now}} turn {{ turn }} step {{i}} of 3');
  });

  it('does not re-render placeholders that appear inside values', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'x' }, where)).toBe('{{b}}');
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(renderTemplate('{ {a} } {{}} {{a b}}', { a: '1' }, where)).toBe('{ {a} } {{}} {{a b}}');
  });

  it('throws a ConfigError naming the file, line, field and placeholder', () => {
    let caught: unknown;
    try {
      renderTemplate('hi {{nmae}}', { name: 'x' }, where);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(
      '/abs/task.yaml:3: instructions: unknown placeholder {{nmae}}',
    );
  });
});

describe('placeholdersIn', () => {
  it('lists distinct non-runtime placeholders in order of first use', () => {
    expect(placeholdersIn('{{b}} {{a}} {{ b }} {{now}} {{i}} {{turn}} {{x.y}}')).toEqual(['b', 'a', 'x.y']);
  });
});
