// Stage 4, part 1: turn a stream of bytes into lines. Read guide/04-loop.md, then run `make stage-4`.

/** The longest message the server accepts, in UTF-8 bytes, without its line terminator. */
export const MAX_LINE_BYTES = 1024;

/** What the decoder finds in the byte stream: a complete line, or a line that was too long. */
export type Frame = { kind: 'line'; text: string } | { kind: 'too-long' };

/** Bytes in, complete lines out: one chunk may hold half a line, several lines, or half a character. */
export class LineDecoder {
  constructor(readonly maxBytes: number = MAX_LINE_BYTES) {}

  /** How many bytes are held for the line not yet complete (never much more than maxBytes). */
  get buffered(): number {
    // TODO(stage 4): return how many bytes you keep for the unfinished line. Guide § The line decoder.
    return 0;
  }

  /** Takes the next chunk and returns the lines it completes, in order. */
  push(chunk: Buffer): Frame[] {
    // TODO(stage 4): split at each "\n" byte (0x0a), keep the bytes after the last one for the next
    // push, and drop a "\r" right before the "\n". Guide § The line decoder.
    // TODO(stage 4): turn a line's bytes into text only once the line is complete.
    // Guide § Bytes before characters.
    // TODO(stage 4): past maxBytes, return one too-long frame and skip to the next "\n" without
    // storing the rest. Guide § Lines that are too long.
    throw new Error('TODO(stage 4): LineDecoder.push');
  }
}
