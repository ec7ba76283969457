// Shows text the way a student needs to see it in a failure: quoted, with invisible characters
// spelled out, so "Hello\r\n" and "Hello\n" never look the same.

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

/** Quotes `text` and escapes control characters, e.g. `"Hi\r\n"`. */
export function showText(text: string, max = 200): string {
  const shown = text.length > max ? text.slice(0, max) : text;
  let out = '';
  for (const ch of shown) out += ESCAPES[ch] ?? escapeInvisible(ch);
  const cut = text.length > max ? `… (${text.length - max} more characters)` : '';
  return `"${out}"${cut}`;
}

/**
 * Text that came from a submission (a file name, a thrown message), made safe to print on a
 * terminal or in a report: control characters, which could move the cursor or retitle the
 * instructor's terminal, and the invisible marks that reverse the order of what follows them
 * (bidirectional overrides) are spelled out. Tabs stay; line breaks stay only where the text
 * may have several lines (`multiline`), and are spelled out in one-line text such as a note.
 */
export function printable(text: string, multiline = true): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\t' || (ch === '\n' && multiline)) out += ch;
    else if (ch === '\n') out += '\\n';
    else out += escapeInvisible(ch);
  }
  return out;
}

/** Marks that change the direction of text, and the Unicode line and paragraph separators. */
const BIDI = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** C0 and C1 control characters and DEL as `\xNN`, direction marks as `\u{NNNN}`; anything else as it is. */
function escapeInvisible(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `\\x${code.toString(16).padStart(2, '0')}`;
  return BIDI.test(ch) ? `\\u{${code.toString(16)}}` : ch;
}

/** `"Hi\n" (3 bytes)`: the byte count catches a missing newline or a stray \r at a glance. */
export function showWithBytes(text: string): string {
  return `${showText(text)} (${Buffer.byteLength(text)} bytes)`;
}

/** "2 s", "2.5 s", "300 ms": waits as a person says them (a timer's few ms late are not news). */
export function showDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 10) * 10} ms`;
}
