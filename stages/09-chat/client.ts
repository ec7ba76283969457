// Stage 9: the ClassChat chat client. Signs in with a name, sends "@Bob some text" to Bob, and
// prints each message that arrives as one line. Read guide/09-chat.md, then run `make stage-9`.
// Run it next to the server: node --import tsx solutions/09-chat/client.ts --port <port> --name Alice
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import { createClientSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { connect } from '../02-listen/listen.ts';
import { LineDecoder } from '../04-loop/framing.ts';
import { CONNECTION_LOST, GOODBYE, SHUTTING_DOWN, isExit } from '../05-exit/session.ts';
import { EXIT_CODES, UsageError, usage } from '../05-exit/usage.ts';
import { readCommandLine } from '../06-final/command-line.ts';
import { MAX_CHAT_LINE_BYTES, encode, parseServerMessage, type ClientMessage, type ServerMessage } from './messages.ts';

const PROGRAM = 'client.ts';

export const HELP = `${usage(PROGRAM)} [--name <name>]

Signs in to a ClassChat chat server and lets you write to the others:
  @Bob some text   send "some text" to Bob
  /who             list who is online
  exit             leave (Ctrl-D too)
  --name   your name (1-32 letters, digits, "_" or "-"); asked for when left out
  --host   the server's IPv4 address (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   the server's TCP port (default 12345, or $CLASSCHAT_PORT)
Exit codes: 0 after the goodbye or the server's shutdown, 1 if the server is unreachable, refuses
the name or is lost, 2 for bad usage.`;

/** Errors that answer the sign-in: with that name this client cannot go on. */
const NAME_REFUSED = new Set(['name-taken', 'bad-name']);

/** Takes `--name X` or `--name=X` out of the arguments; stage 6 reads the rest. */
export function takeName(argv: string[]): { name?: string; rest: string[] } {
  const rest: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--name') {
      if (i + 1 >= argv.length) throw new UsageError(`Option '--name <value>' argument missing. ${usage(PROGRAM)}`);
      name = argv[++i];
    } else if (arg.startsWith('--name=')) {
      name = arg.slice('--name='.length);
    } else {
      rest.push(arg);
    }
  }
  return { name, rest };
}

/** One incoming message as the person reads it: one line, its kind told by how it starts. */
export function show(message: ServerMessage): string | undefined {
  // TODO(stage 9): "* text" for a notice, "[sender] text" for chat, "* Online: A, B" for the list,
  // "! text" for an error; undefined for anything else. Guide § The chat client.
  throw new Error('TODO(stage 9): show');
}

/** What a typed line asks for: a message to send, nothing (a blank line), or a hint for the user. */
export function command(line: string, me: string): ClientMessage | string | undefined {
  // TODO(stage 9): "@Bob some text" → chat to Bob, "/who" → status "2", exit (as in stage 5) →
  // status "9", a blank line → undefined, anything else → a hint to print on stderr.
  // Guide § The chat client.
  throw new Error('TODO(stage 9): command');
}

/** The lines typed on stdin, kept in order until they are read (the name may come first). */
type TypedLines = AsyncIterator<string>;

/** Sends each typed line as it asks; the end of input counts as exit. */
async function forwardTyped(typed: TypedLines, me: string, send: (message: ClientMessage) => void): Promise<void> {
  for (let next = await typed.next(); !next.done; next = await typed.next()) {
    const wanted = command(next.value, me);
    if (typeof wanted === 'string') console.error(wanted);
    else if (wanted) send(wanted);
  }
  // Ctrl-D, or a file piped in that ran out: leave properly instead of vanishing.
  send({ status: '9', sender: me });
}

/** Prints what the server sends until it closes; resolves with how the session ended. */
function runChat(socket: Socket, me: string, typed: TypedLines, stopTyping: () => void): Promise<keyof typeof EXIT_CODES> {
  // TODO(stage 9): read the socket with a LineDecoder(MAX_CHAT_LINE_BYTES); print each message
  // with show() (parseServerMessage first); after "name-taken" or "bad-name" end the connection.
  // TODO(stage 9): sign in with encode({ status: '0', sender: me }), then forwardTyped().
  // TODO(stage 9): on 'close', stopTyping() and resolve 'goodbye' if the last message was the
  // GOODBYE or SHUTTING_DOWN notice, else say CONNECTION_LOST on stderr and resolve 'lost'.
  // Guide § The chat client.
  throw new Error('TODO(stage 9): runChat');
}

async function main(argv: string[]): Promise<number> {
  let endpoint;
  let name;
  try {
    const taken = takeName(argv);
    const line = readCommandLine(PROGRAM, taken.rest);
    if (line.help) {
      console.log(HELP);
      return 0;
    }
    endpoint = resolveEndpoint(line.flags, process.env);
    name = taken.name;
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.usage;
  }

  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const typed: TypedLines = input[Symbol.asyncIterator]();
  const stopTyping = (): void => {
    input.close();
    // Stop reading the terminal, or the process would wait for input nobody is going to type.
    process.stdin.destroy();
  };
  if (name === undefined) {
    // Asked on stderr: stdout is for the chat only.
    process.stderr.write('Your name: ');
    const answer = await typed.next();
    name = answer.done ? '' : answer.value.trim();
    if (!name) {
      console.error(`No name given. ${usage(PROGRAM)}`);
      stopTyping();
      return EXIT_CODES.usage;
    }
  }

  const socket = createClientSocket();
  try {
    await connect(socket, endpoint);
  } catch (err) {
    console.error((err as Error).message);
    stopTyping();
    return EXIT_CODES.unreachable;
  }
  return EXIT_CODES[await runChat(socket, name, typed, stopTyping)];
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
