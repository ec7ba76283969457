// Stage 4, part 2: the server answers every line, the client sends and prints lines.
// See guide/04-loop.md.
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

/**
 * Server side: calls `onLine` for every line the client sends, in order. A line over the limit
 * is answered here with TOO_LONG, because the limit is the framing's rule.
 */
export function readMessages(client: Socket, onLine: LineHandler): void {
  const decoder = new LineDecoder();
  client.on('data', (chunk: Buffer) => {
    // cork() holds back the replies to this chunk's lines and uncork() sends them in one write:
    // a chunk of 1,000 lines costs one system call instead of 1,000. Order is unchanged.
    client.cork();
    for (const frame of decoder.push(chunk)) {
      if (frame.kind === 'line') onLine(frame.text);
      else if (client.writable) client.write(`${TOO_LONG}\n`);
    }
    client.uncork();
  });
}

/** The server's answer to one message, or undefined: blank lines get no reply. */
export function replyTo(line: string): string | undefined {
  return line.trim() === '' ? undefined : `${RECEIVED}${line}`;
}

/** The server's side of the conversation: every message answered, in the order it came. */
export function serveMessages(client: Socket): void {
  readMessages(client, (line) => {
    const reply = replyTo(line);
    if (reply !== undefined && client.writable) client.write(`${reply}\n`);
  });
}

/** Client side: calls `onLine` for every line the server sends. */
export function readReplies(socket: Socket, onLine: LineHandler): void {
  // A reply is longer than the message it answers, so the client allows longer lines.
  const decoder = new LineDecoder(MAX_REPLY_BYTES);
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      // A ClassChat server never sends one; skip it rather than print half a line.
      if (frame.kind === 'line') onLine(frame.text);
    }
  });
  // readAck() (stage 3) leaves the socket paused, and a 'data' listener alone does not undo
  // an explicit pause().
  socket.resume();
}

/**
 * The client's side: each line of `input` goes to the server, each line from the server is
 * printed on `output`. Resolves when the connection closes; rejects if it fails.
 */
export function runClientLoop(socket: Socket, input: Readable, output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    readReplies(socket, (line) => output.write(`${line}\n`));
    // Typed input is a local stream that ends when the user is done: readline's lines are fine.
    const typed = createInterface({ input, crlfDelay: Infinity });
    typed.on('line', (line) => {
      if (socket.writable) socket.write(`${line}\n`);
    });
    socket.once('error', reject);
    socket.once('close', () => {
      typed.close();
      resolve();
    });
  });
}
