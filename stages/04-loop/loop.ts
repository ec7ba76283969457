// Stage 4, part 2: the server answers every line, the client sends and prints lines.
// Read guide/04-loop.md, then run `make stage-4`.
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { LineDecoder, MAX_LINE_BYTES } from './framing.ts';

export const TOO_LONG = `Error: message too long (max ${MAX_LINE_BYTES} bytes)`;
export const RECEIVED = 'Server received: ';

/** The longest line a ClassChat server sends: the reply prefix plus a message, with room to spare. */
export const MAX_REPLY_BYTES = 2 * MAX_LINE_BYTES;

/** Called with each complete line, without its terminator. */
export type LineHandler = (line: string) => void;

/** Server side: calls `onLine` for every line the client sends; answers over-long lines with TOO_LONG. */
export function readMessages(client: Socket, onLine: LineHandler): void {
  // TODO(stage 4): push every 'data' chunk into one LineDecoder; call onLine for each line and
  // write TOO_LONG + "\n" for each too-long frame. Guide § The reply loop.
  throw new Error('TODO(stage 4): readMessages');
}

/** The server's answer to one message, or undefined: blank lines get no reply. */
export function replyTo(line: string): string | undefined {
  // TODO(stage 4): RECEIVED followed by the line, or undefined if trim() leaves nothing.
  // Guide § The reply loop.
  throw new Error('TODO(stage 4): replyTo');
}

/** The server's side of the conversation: every message answered, in the order it came. */
export function serveMessages(client: Socket): void {
  // TODO(stage 4): readMessages() and write each reply followed by "\n". Guide § The reply loop.
  throw new Error('TODO(stage 4): serveMessages');
}

/** Client side: calls `onLine` for every line the server sends. */
export function readReplies(socket: Socket, onLine: LineHandler): void {
  // TODO(stage 4): like readMessages() with a LineDecoder(MAX_REPLY_BYTES) and no error line; then
  // socket.resume(). Guide § The client loop.
  throw new Error('TODO(stage 4): readReplies');
}

/** Sends each line of `input`, prints each server line on `output`; resolves when the connection closes. */
export function runClientLoop(socket: Socket, input: Readable, output: Writable): Promise<void> {
  // TODO(stage 4): readReplies() into output, send input lines read with createInterface(), resolve
  // on the socket's 'close' and reject on its 'error'. Guide § The client loop.
  return Promise.reject(new Error('TODO(stage 4): runClientLoop'));
}
