// Stage 5, part 1: how a conversation ends, on purpose or because the other side vanished.
// Read guide/05-exit.md, then run `make stage-5`.
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export const EXIT = 'exit';
export const GOODBYE = 'Goodbye! Connection closing...';
export const SHUTTING_DOWN = 'Server shutting down. Goodbye!';

/** Calls `onLine` with each line that arrives on `socket`, in order. */
export type LineReader = (socket: Socket, onLine: (line: string) => void) => void;

/**
 * The LineReader used when none is given: Node's readline, which does what your stage 4 decoder
 * does, minus the length limit. Stage 6 passes your own readMessages/readReplies instead.
 */
export const readlineLines: LineReader = (socket, onLine) => {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', onLine);
  // readline passes the socket's errors on to the interface; the socket's own listener handles them.
  lines.on('error', () => {});
};

/** `exit` in any case, with any spaces around it, ends the session. */
export function isExit(line: string): boolean {
  // TODO(stage 5): compare the trimmed, lower-cased line with EXIT. Guide § Ending on purpose.
  throw new Error('TODO(stage 5): isExit');
}

/** What a server session is made of besides the exit rule. */
export interface SessionParts {
  /** The answer to an ordinary line, or undefined for none (stage 4's replyTo). */
  reply: (line: string) => string | undefined;
  /** How lines are read (stage 4's readMessages); readlineLines when left out. */
  readLines?: LineReader;
  log?: (line: string) => void;
}

/** Serves one client until it says exit or goes away; resolves once the connection is closed. */
export function serveSession(client: Socket, parts: SessionParts): Promise<void> {
  // TODO(stage 5): listen for the client's 'error' (log it) and resolve on its 'close'.
  // Guide § When the other side disappears.
  // TODO(stage 5): read lines with parts.readLines (or readlineLines); answer each with parts.reply;
  // on exit end() the connection with GOODBYE and answer nothing more. Guide § The session.
  return Promise.reject(new Error('TODO(stage 5): serveSession'));
}

/** How a client's session ended: the server said goodbye, or the connection was lost. */
export type ClientEnd = 'goodbye' | 'lost';

/** What the client tells its user (on stderr) when the session ends as 'lost'. */
export const CONNECTION_LOST = 'Lost the connection to the ClassChat server.';

/** Sends input lines, prints server lines; the end of the input counts as typing exit. */
export function runClient(socket: Socket, input: Readable, output: Writable, readLines: LineReader = readlineLines): Promise<ClientEnd> {
  // TODO(stage 5): print each server line, send each input line, send EXIT when the input ends;
  // on 'close' stop reading the input and resolve 'goodbye' if the last line was GOODBYE or
  // SHUTTING_DOWN, 'lost' otherwise. Guide § The client's side.
  return Promise.reject(new Error('TODO(stage 5): runClient'));
}
