// Stage 7: the multiplexed client. One wait for two sources, the server and the keyboard:
// whichever has a line first is handled first, and while neither has one the process sleeps.
// See guide/07-multiplex.md.
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createClientSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { connect } from '../02-listen/listen.ts';
import { readAck } from '../03-accept/accept.ts';
import { readReplies } from '../04-loop/loop.ts';
import { CONNECTION_LOST, EXIT, GOODBYE, SHUTTING_DOWN, type ClientEnd } from '../05-exit/session.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from '../06-final/command-line.ts';

const PROGRAM = 'client.ts';

export const HELP = `${usage(PROGRAM)}

Connects to a ClassChat server, sends each line you type, and prints each line the server sends,
whichever comes first. Type exit (or press Ctrl-D) to leave.
  --host   the server's IPv4 address (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   the server's TCP port (default 12345, or $CLASSCHAT_PORT)
  --help   show this help
Exit codes: 0 after the goodbye or the server's shutdown line, 1 if the server is unreachable,
busy or lost, 2 for bad usage.`;

/** What one wake-up brings, like the ready set select() returns: which source, and what it had. */
export type ClientEvent =
  | { kind: 'server-line'; line: string }
  | { kind: 'server-closed' }
  | { kind: 'typed-line'; line: string }
  | { kind: 'input-ended' };

/**
 * Both sources as one stream of events, in the order they happened. The loop that reads it waits
 * in one place for whichever source is ready first, as a C client waits in select().
 */
export async function* events(socket: Socket, input: Readable): AsyncGenerator<ClientEvent> {
  const ready: ClientEvent[] = [];
  let wake = (): void => {};
  const push = (event: ClientEvent): void => {
    ready.push(event);
    wake();
  };
  // Server lines through your stage 4 decoder: TCP chunks are not lines.
  readReplies(socket, (line) => push({ kind: 'server-line', line }));
  // The 'close' that follows every error says what happened; the error itself needs no more.
  socket.on('error', () => {});
  socket.once('close', () => push({ kind: 'server-closed' }));
  // Typed lines through readline: the keyboard is local, and a pipe or a terminal ends lines itself.
  const typed = createInterface({ input, crlfDelay: Infinity });
  typed.on('line', (line) => push({ kind: 'typed-line', line }));
  typed.once('close', () => push({ kind: 'input-ended' }));
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        yield next;
        continue;
      }
      // Nothing ready: sleep until a callback above pushes. No timer, no loop: the process uses
      // no CPU until the kernel reports the socket or stdin readable (epoll, under Node).
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // The loop is over (the server closed): stop reading the keyboard.
    typed.close();
  }
}

/** Sends one line, unless the connection is already closing. */
function send(socket: Socket, line: string): void {
  if (socket.writable) socket.write(`${line}\n`);
}

/**
 * The session: handles each event as soon as it happens, and never waits for one source while the
 * other has something. Resolves with how it ended.
 */
export async function session(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {
  let last: string | undefined;
  for await (const event of events(socket, input)) {
    switch (event.kind) {
      case 'server-line':
        last = event.line;
        output.write(`${event.line}\n`);
        break;
      case 'typed-line':
        // Sent at once, whether or not the last line got its reply: the server may answer later,
        // or say things nobody asked for.
        send(socket, event.line);
        break;
      case 'input-ended':
        // Ctrl-D, or a pipe that ran out: leave properly, then keep printing until the goodbye.
        send(socket, EXIT);
        break;
      case 'server-closed':
        return last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost';
    }
  }
  return 'lost';
}

async function main(argv: string[]): Promise<number> {
  let endpoint;
  try {
    const line = readCommandLine(PROGRAM, argv);
    if (line.help) {
      console.log(HELP);
      return 0;
    }
    endpoint = resolveEndpoint(line.flags, process.env);
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.usage;
  }

  const socket = createClientSocket();
  try {
    await connect(socket, endpoint);
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.unreachable;
  }
  try {
    console.log(await readAck(socket));
  } catch (err) {
    console.error((err as Error).message);
    socket.destroy();
    return EXIT_CODES.busy;
  }

  const end = await session(socket, process.stdin, process.stdout);
  if (end === 'lost') console.error(CONNECTION_LOST);
  // The user may be in the middle of a line: stop reading stdin, or the process would wait for it.
  process.stdin.destroy();
  socket.destroy();
  return EXIT_CODES[end];
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
