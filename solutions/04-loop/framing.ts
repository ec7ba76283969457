// Stage 4, part 1: turn a stream of bytes into lines. See guide/04-loop.md.

/** The longest message the server accepts, in UTF-8 bytes, without its line terminator. */
export const MAX_LINE_BYTES = 1024;

/** What the decoder finds in the byte stream: a complete line, or a line that was too long. */
export type Frame = { kind: 'line'; text: string } | { kind: 'too-long' };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NOTHING = Buffer.alloc(0);

/**
 * Bytes in, complete lines out. TCP delivers a stream, not messages: one chunk may hold half a
 * line, several lines, or half a character, so the decoder keeps the bytes after the last
 * newline until the rest of their line arrives.
 */
export class LineDecoder {
  // The bytes of the line being received, not yet decoded: a character may still be incomplete.
  private pending: Buffer = NOTHING;
  // True while skipping the rest of a line that is already known to be too long.
  private discarding = false;

  constructor(readonly maxBytes: number = MAX_LINE_BYTES) {}

  /** How many bytes are held for the line not yet complete (never much more than maxBytes). */
  get buffered(): number {
    return this.pending.length;
  }

  /** Takes the next chunk and returns the lines it completes, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let rest = chunk;
    let nl = rest.indexOf(NEWLINE);
    while (nl !== -1) {
      this.keep(rest.subarray(0, nl), frames);
      this.endLine(frames);
      rest = rest.subarray(nl + 1);
      nl = rest.indexOf(NEWLINE);
    }
    this.keep(rest, frames);
    return frames;
  }

  // Adds bytes to the current line, unless that would make it too long. One byte more than the
  // limit is allowed: it may be the '\r' of a "\r\n", which is not part of the message.
  private keep(bytes: Buffer, frames: Frame[]): void {
    if (this.discarding || bytes.length === 0) return;
    if (this.pending.length + bytes.length > this.maxBytes + 1) {
      // Say so once, now, and drop what we held: memory stays bounded however long the line is.
      frames.push({ kind: 'too-long' });
      this.pending = NOTHING;
      this.discarding = true;
      return;
    }
    // A line that starts in this chunk needs no copy yet: a view of the chunk is enough. Bytes
    // are copied only when a line really spans two chunks.
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
  }

  // A newline arrived: the current line is complete (or the discarded one is finally over).
  private endLine(frames: Frame[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let line = this.pending;
    this.pending = NOTHING;
    if (line.at(-1) === CARRIAGE_RETURN) line = line.subarray(0, -1);
    if (line.length > this.maxBytes) {
      frames.push({ kind: 'too-long' });
      return;
    }
    // Decoding only now keeps split characters whole; invalid bytes become U+FFFD, never a crash.
    frames.push({ kind: 'line', text: line.toString('utf8') });
  }
}
