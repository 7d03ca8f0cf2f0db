import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/secrets/index.js';

describe('text made safe for a terminal', () => {
  it.each([
    ['\u001b]0;PWNED\u0007', '\\u001b]0;PWNED\\u0007'],
    ['\u001b[2J\u001b[31mred', '\\u001b[2J\\u001b[31mred'],
    ['over\rwrite', 'over\\u000dwrite'],
    ['\u009b31m', '\\u009b31m'],
    ['del\u007f', 'del\\u007f'],
    ['\u202eevil.exe', '\\u202eevil.exe'],
  ])('%j prints as %j', (text, shown) => {
    expect(printable(text)).toBe(shown);
  });

  it('leaves tabs, newlines and other text as they are', () => {
    const text = 'a\tb\nc — naïve 日本 🙂';
    expect(printable(text)).toBe(text);
  });
});
