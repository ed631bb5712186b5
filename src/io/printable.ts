import { describe } from '../errors.js';

/**
 * Text from a file made safe for a one-line message: control characters (C0, DEL, C1) and line
 * separators are written as \u escapes, so a hostile name can neither break the line nor reach
 * the terminal as a control sequence.
 *
 * @example
 * printable('a\u0007b'); // 'a\\u0007b'
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** {@link describe} for a value read from a file: short, quoted when a string, and printable. */
export function quote(value: unknown): string {
  return printable(describe(value));
}
