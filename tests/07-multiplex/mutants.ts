// Stage 7's mutation file: the documented mistakes of guide/07-multiplex.md and the multiplexed
// client's rules of guide/protocol.md, each applied to the reference client, must lose points;
// the variants are correct rewrites that must keep them all.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FILE = 'client.ts';

/** The first line of the reference session(); a rewrite goes in front, the original is renamed. */
const SESSION_HEAD = 'export async function session(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {';
const replaceSession = (rewrite: string): { file: string; find: string; replace: string } => ({
  file: FILE,
  find: SESSION_HEAD,
  replace: `${rewrite}\n\nexport async function referenceSession(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {`,
});

const WAIT = `      await new Promise<void>((resolve) => {
        wake = resolve;
      });`;

const TYPED = `  const typed = createInterface({ input, crlfDelay: Infinity });
  typed.on('line', (line) => push({ kind: 'typed-line', line }));
  typed.once('close', () => push({ kind: 'input-ended' }));`;

export const mutants: Mutant[] = [
  {
    name: 'blocking-stdin-read',
    mistake: 'Reads all of stdin with readFileSync(0) before the session starts, blocking the event loop.',
    covers: ['mistake 1', 'multiplexed client rule 1'],
    edits: [
      { file: FILE, find: "import type { Readable, Writable } from 'node:stream';", replace: "import { readFileSync } from 'node:fs';\nimport { Readable, type Writable } from 'node:stream';" },
      { file: FILE, find: 'const end = await session(socket, process.stdin, process.stdout);', replace: 'const end = await session(socket, Readable.from([readFileSync(0)]), process.stdout);' },
    ],
  },
  {
    name: 'lockstep-like-task-1',
    mistake: "Sends a typed line, then waits for the server's reply before reading the next one (the course's Task-1 loop).",
    covers: ['mistake 2', 'multiplexed client rule 1', 'multiplexed client rule 2'],
    edits: [replaceSession(`export async function session(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {
  const replies: string[] = [];
  let closed = false;
  let wake = (): void => {};
  readReplies(socket, (line) => {
    replies.push(line);
    wake();
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    closed = true;
    wake();
  });
  const nextReply = async (): Promise<string | undefined> => {
    while (replies.length === 0 && !closed) await new Promise<void>((resolve) => { wake = resolve; });
    return replies.shift();
  };
  let last: string | undefined;
  const typed = createInterface({ input, crlfDelay: Infinity });
  for await (const line of typed) {
    send(socket, line);
    last = await nextReply();
    if (last === undefined) break;
    output.write(\`\${last}\\n\`);
  }
  typed.close();
  send(socket, EXIT);
  for (let line = await nextReply(); line !== undefined; line = await nextReply()) {
    last = line;
    output.write(\`\${line}\\n\`);
  }
  return last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost';
}`)],
  },
  {
    name: 'busy-waits-with-setImmediate',
    mistake: 'When no event is queued, checks again on the next turn of the event loop instead of sleeping until one arrives.',
    covers: ['mistake 3', 'multiplexed client rule 3'],
    edits: [{ file: FILE, find: WAIT, replace: '      await new Promise<void>((resolve) => setImmediate(resolve));' }],
  },
  {
    name: 'splits-chunks-itself',
    mistake: "Splits each of the socket's 'data' chunks at \"\\n\" itself instead of using stage 4's decoder.",
    covers: ['mistake 4', 'multiplexed client rule 2', 'multiplexed client rule 5'],
    edits: [{
      file: FILE,
      find: "  readReplies(socket, (line) => push({ kind: 'server-line', line }));",
      replace: `  socket.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\\n')) if (line !== '') push({ kind: 'server-line', line });
  });
  socket.resume();`,
    }],
  },
  {
    name: 'exit-0-on-any-close',
    mistake: 'Ends with exit code 0 whenever the server closes, goodbye or not.',
    covers: ['mistake 5', 'multiplexed client rule 4'],
    edits: [{ file: FILE, find: "return last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost';", replace: "return 'goodbye';" }],
  },
  {
    name: 'keeps-reading-stdin',
    mistake: 'Does not stop reading stdin when the connection is lost, so the process waits for the user.',
    covers: ['mistake 6', 'multiplexed client rule 4'],
    edits: [
      { file: FILE, find: '    typed.close();\n  }\n}', replace: '  }\n}' },
      { file: FILE, find: '  process.stdin.destroy();\n', replace: '' },
    ],
  },
  {
    name: 'no-message-when-lost',
    mistake: 'Exits with code 1 when the connection is lost, but says nothing.',
    covers: ['multiplexed client rule 4'],
    edits: [{ file: FILE, find: "  if (end === 'lost') console.error(CONNECTION_LOST);\n", replace: '' }],
  },
  {
    name: 'prompt-on-stdout',
    mistake: 'Prints a "> " prompt on stdout after each server line.',
    covers: ['mistake 7', 'multiplexed client rule 5'],
    edits: [{ file: FILE, find: '        output.write(`${event.line}\\n`);', replace: '        output.write(`${event.line}\\n> `);' }],
  },
  {
    name: 'end-of-input-is-not-exit',
    mistake: 'Does nothing when stdin ends instead of sending exit.',
    covers: ['mistake 7', 'multiplexed client rule 5'],
    edits: [{ file: FILE, find: '        send(socket, EXIT);', replace: '        // nothing to do' }],
  },
  {
    name: 'sends-crlf',
    mistake: 'Sends each typed line with "\\r\\n" instead of "\\n".',
    covers: ['multiplexed client rule 5'],
    edits: [{ file: FILE, find: 'if (socket.writable) socket.write(`${line}\\n`);', replace: 'if (socket.writable) socket.write(`${line}\\r\\n`);' }],
  },
];

export const unobservable: Unobservable[] = [];

export const variants: Variant[] = [
  {
    name: 'plain-callbacks',
    how: "No generator: each source's callback acts at once (print, send), as stage 5's runClient does, and 'close' resolves the promise.",
    edits: [replaceSession(`export function session(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {
  return new Promise((resolve) => {
    let last: string | undefined;
    readReplies(socket, (line) => {
      last = line;
      output.write(\`\${line}\\n\`);
    });
    const typed = createInterface({ input, crlfDelay: Infinity });
    typed.on('line', (line) => send(socket, line));
    typed.once('close', () => send(socket, EXIT));
    socket.on('error', () => {});
    socket.once('close', () => {
      typed.close();
      resolve(last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost');
    });
  });
}`)],
  },
  {
    name: 'stdin-through-the-line-decoder',
    how: "Typed lines come from stdin's raw 'data' events through stage 4's LineDecoder instead of readline.",
    edits: [
      { file: FILE, find: "import { readReplies } from '../04-loop/loop.ts';", replace: "import { LineDecoder } from '../04-loop/framing.ts';\nimport { readReplies } from '../04-loop/loop.ts';" },
      {
        file: FILE,
        find: TYPED,
        replace: `  const decoder = new LineDecoder(Number.MAX_SAFE_INTEGER);
  const onKeys = (chunk: Buffer): void => {
    for (const frame of decoder.push(chunk)) if (frame.kind === 'line') push({ kind: 'typed-line', line: frame.text });
  };
  const onEnd = (): void => push({ kind: 'input-ended' });
  input.on('data', onKeys);
  input.once('end', onEnd);
  const typed = {
    close: (): void => {
      input.off('data', onKeys);
      input.off('end', onEnd);
      input.pause();
    },
  };`,
      },
    ],
  },
];
