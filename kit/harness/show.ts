// Shows text the way a student needs to see it in a failure: quoted, with invisible characters
// spelled out, so "Hello\r\n" and "Hello\n" never look the same.

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

/** Quotes `text` and escapes control characters, e.g. `"Hi\r\n"`. */
export function showText(text: string, max = 200): string {
  const shown = text.length > max ? text.slice(0, max) : text;
  let out = '';
  for (const ch of shown) out += ESCAPES[ch] ?? escapeControl(ch);
  const cut = text.length > max ? `… (${text.length - max} more characters)` : '';
  return `"${out}"${cut}`;
}

/**
 * Text that came from a submission (a file name, a thrown message), made safe to print on a
 * terminal or in a report: control characters, which could move the cursor or retitle the
 * instructor's terminal, are spelled out; line breaks and tabs stay.
 */
export const printable = (text: string): string => [...text].map((ch) => (ch === '\n' || ch === '\t' ? ch : escapeControl(ch))).join('');

/** C0 and C1 control characters and DEL as `\xNN`; anything else as it is. */
function escapeControl(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
}

/** `"Hi\n" (3 bytes)`: the byte count catches a missing newline or a stray \r at a glance. */
export function showWithBytes(text: string): string {
  return `${showText(text)} (${Buffer.byteLength(text)} bytes)`;
}

/** "2 s", "2.5 s", "300 ms": waits as a person says them (a timer's few ms late are not news). */
export function showDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 10) * 10} ms`;
}
