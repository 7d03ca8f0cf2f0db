/**
 * Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides, which a terminal
 * would act on rather than show: an escape sequence can retitle the window, clear the screen, move
 * the cursor over earlier lines or write the clipboard, and an override can make text read as
 * something else.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a task, a provider, a tool or a log file made safe to print: each such character is
 * shown as its `\uXXXX` escape instead.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
