// Stage 5, part 1: how a conversation ends, on purpose or because the other side vanished.
// See guide/05-exit.md.
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
  return line.trim().toLowerCase() === EXIT;
}

/** What a server session is made of besides the exit rule. */
export interface SessionParts {
  /** The answer to an ordinary line, or undefined for none (stage 4's replyTo). */
  reply: (line: string) => string | undefined;
  /** How lines are read (stage 4's readMessages); readlineLines when left out. */
  readLines?: LineReader;
  log?: (line: string) => void;
}

/**
 * Serves one client until it says exit or goes away. Resolves once the connection is closed,
 * whatever the reason, and never rejects: a client's failure is not the server's.
 */
export function serveSession(client: Socket, parts: SessionParts): Promise<void> {
  const { reply, readLines = readlineLines, log = console.log } = parts;
  const peer = `${client.remoteAddress}:${client.remotePort}`;
  return new Promise((resolve) => {
    // A reset (ECONNRESET) or a write to a vanished client arrives here, not as an exception.
    // Without this listener it would crash the whole server; 'close' follows it.
    client.on('error', (err: NodeJS.ErrnoException) => log(`Client ${peer} error: ${err.code ?? err.message}`));
    client.once('close', () => resolve());
    if (client.closed) resolve();

    let saidGoodbye = false;
    readLines(client, (line) => {
      // Lines that came in the same chunk as exit are not answered: the conversation is over.
      if (saidGoodbye) return;
      if (isExit(line)) {
        saidGoodbye = true;
        log(`Client ${peer} said exit`);
        // end(), not destroy(): the goodbye is still on its way, and the FIN follows it.
        client.end(`${GOODBYE}\n`);
        return;
      }
      const answer = reply(line);
      if (answer !== undefined && client.writable) client.write(`${answer}\n`);
    });
  });
}

/** How a client's session ended: the server said goodbye, or the connection was lost. */
export type ClientEnd = 'goodbye' | 'lost';

/** What the client tells its user (on stderr) when the session ends as 'lost'. */
export const CONNECTION_LOST = 'Lost the connection to the ClassChat server.';

/**
 * The client's side: each input line goes to the server, each server line is printed on
 * `output`. The end of the input counts as typing exit. Resolves with how the session ended.
 */
export function runClient(socket: Socket, input: Readable, output: Writable, readLines: LineReader = readlineLines): Promise<ClientEnd> {
  return new Promise((resolve) => {
    let last: string | undefined;
    readLines(socket, (line) => {
      last = line;
      output.write(`${line}\n`);
    });
    const send = (line: string): void => {
      if (socket.writable) socket.write(`${line}\n`);
    };
    const typed = createInterface({ input, crlfDelay: Infinity });
    typed.on('line', send);
    // Ctrl-D, or a file piped in that ran out: say goodbye properly instead of vanishing.
    typed.once('close', () => send(EXIT));

    // The 'close' that follows an error tells the outcome; the error itself needs no more.
    socket.on('error', () => {});
    socket.once('close', () => {
      // Stop reading the input (the socket is closed, so send() above sends nothing more).
      typed.close();
      resolve(last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost');
    });
  });
}
