// Stage 9: the ClassChat chat client. Signs in with a name, sends "@Bob some text" to Bob, and
// prints each message that arrives as one line. See guide/09-chat.md.
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
  const text: unknown = (message as { text?: unknown }).text;
  switch (message.status) {
    case '0': return typeof text === 'string' ? `* ${text}` : undefined;
    case '1': return typeof text === 'string' ? `[${message.sender}] ${text}` : undefined;
    case '2': return Array.isArray(message.users) ? `* Online: ${message.users.join(', ')}` : undefined;
    case '3': return typeof text === 'string' ? `! ${text}` : undefined;
    default: return undefined;
  }
}

/** What a typed line asks for: a message to send, nothing (a blank line), or a hint for the user. */
export function command(line: string, me: string): ClientMessage | string | undefined {
  const typed = line.trim();
  if (typed === '') return undefined;
  if (isExit(typed)) return { status: '9', sender: me };
  if (typed === '/who') return { status: '2', sender: me };
  const to = /^@(\S+)\s?(.*)$/s.exec(typed);
  if (to) return { status: '1', sender: me, receiver: to[1], text: to[2] };
  return 'Write "@name message" to send, "/who" to see who is online, or "exit" to leave.';
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
  return new Promise((resolve) => {
    let last: ServerMessage | undefined;
    let refused = false;
    const decoder = new LineDecoder(MAX_CHAT_LINE_BYTES);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const message = frame.kind === 'line' ? parseServerMessage(frame.text) : undefined;
        const line = message && show(message);
        if (!line) {
          console.error('(the server sent a line that is not a ClassChat message; skipped)');
          continue;
        }
        last = message;
        console.log(line);
        if (message.status === '3' && NAME_REFUSED.has(message.error)) {
          refused = true;
          socket.end();
        }
      }
    });
    const send = (message: ClientMessage): void => {
      if (socket.writable) socket.write(encode(message));
    };
    send({ status: '0', sender: me });
    void forwardTyped(typed, me, send);
    socket.on('error', () => {});
    socket.once('close', () => {
      stopTyping();
      const said = last?.status === '0' ? last.text : undefined;
      if (!refused && (said === GOODBYE || said === SHUTTING_DOWN)) return resolve('goodbye');
      if (!refused) console.error(CONNECTION_LOST);
      resolve('lost');
    });
  });
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
