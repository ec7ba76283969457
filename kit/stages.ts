// The one list of the course's stages. The walkthrough, the test runner, the kit's self-check,
// the grader and the README table all read it; paths are derived from `number` and `slug`.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface Stage {
  number: number;
  slug: string;
  title: string;
  /** The course task this stage belongs to (Task 1 = client-server over TCP, 30 points). */
  task: number;
  /** Sum of the points of the stage's graded tests; `make test` checks they agree. */
  points: number;
  /** What the student does, in one sentence (shown in the progress table and reports). */
  goal: string;
  /** Files the student edits, relative to the stage folder. */
  files: string[];
  /** General hints: the second level of `make hint-N` (and `h` in `make watch`). */
  hints: string[];
  /**
   * Programs the stage's suite starts as processes (`<kind>.ts` in the stage folder). The grader
   * bundles each once; SERVER_CMD / CLIENT_CMD replace them with a program in any language.
   */
  programs?: ProgramKind[];
  /**
   * What `make try-N` lets a person do with the stage's code, in one sentence; it runs
   * kit/try/<stage id>.ts. Without it, a stage with `programs` runs its server (or its client).
   */
  try?: string;
}

export type ProgramKind = 'server' | 'client';

export const STAGES: readonly Stage[] = [
  {
    number: 1,
    slug: 'socket',
    title: 'Socket creation',
    task: 1,
    points: 4,
    goal: 'Parse and validate the endpoint (host, port) and create the server and client sockets.',
    files: ['endpoint.ts'],
    try: 'type flags such as --port 99999 and see the endpoint your resolveEndpoint() makes of them, or its error.',
    hints: [
      'Flags win over environment variables, which win over the defaults.',
      'A port is a whole number from 0 to 65535; say which value was wrong.',
    ],
  },
  {
    number: 2,
    slug: 'listen',
    title: 'Bind and listen',
    task: 1,
    points: 5,
    goal: 'Bind the server to its address, report the real port, and turn socket errors into clear messages.',
    files: ['listen.ts'],
    try: 'your listen() on PORT (default 12345): the listening line, or your message when the port is taken.',
    hints: [
      "server.listen() reports success with 'listening' and failure with 'error': wait for whichever comes first.",
      'Pass the host to listen(): without it Node binds every address (::), not 127.0.0.1.',
    ],
  },
  {
    number: 3,
    slug: 'accept',
    title: 'Accept and ACK',
    task: 1,
    points: 5,
    goal: 'Accept one client at a time, greet it with the ACK line, and turn away a second client as busy.',
    files: ['accept.ts'],
    try: 'your accept server on a port, to connect to with nc from two terminals (ACK, then busy).',
    hints: [
      "Every accepted socket needs an 'error' listener, or a client's reset crashes the server.",
      'Remember who is being served; a second connection gets the busy line and is closed.',
    ],
  },
  {
    number: 4,
    slug: 'loop',
    title: 'Message loop',
    task: 1,
    points: 6,
    goal: 'Turn a byte stream into lines and answer each one, in order, with bounded memory.',
    files: ['framing.ts', 'loop.ts'],
    try: 'your LineDecoder fed each line you type as one chunk, with the frames and replies it gives.',
    hints: [
      "One 'data' event is not one message: keep the bytes after the last newline for the next chunk.",
      'Decode UTF-8 only once a line is complete, or a character split between chunks breaks.',
      'Past 1024 bytes, report the line once and skip to its newline without storing it.',
    ],
  },
  {
    number: 5,
    slug: 'exit',
    title: 'Exit and errors',
    task: 1,
    points: 5,
    goal: 'End sessions cleanly on exit, survive every client failure, and shut down without leaving anything behind.',
    files: ['session.ts', 'shutdown.ts'],
    try: 'a server whose sessions are your serveSession() and whose Ctrl-C runs your shutdown(); connect with nc.',
    hints: [
      "Compare the trimmed, lower-cased line with 'exit'.",
      "A reset client raises 'error' on its socket: handle it there, never let it reach the process.",
      "Resolve when the socket emits 'close': it comes after a goodbye, a hang-up and a reset alike.",
    ],
  },
  {
    number: 6,
    slug: 'final',
    title: 'The complete server and client',
    task: 1,
    points: 5,
    goal: 'Assemble your stages into the ClassChat server and client programs.',
    files: ['command-line.ts', 'server.ts', 'client.ts'],
    programs: ['server', 'client'],
    hints: [
      "Print the listening line as the server's very first stdout line.",
      "The client prints server lines exactly as they came; its own messages go to stderr.",
      'Import your earlier stages; do not copy them.',
    ],
  },
  {
    number: 7,
    slug: 'multiplex',
    title: 'The multiplexed client',
    task: 2,
    points: 20,
    goal: 'Rebuild the client around one wait for two sources, so a server line or a typed line is handled the moment it comes, and nothing busy-waits.',
    files: ['client.ts'],
    programs: ['client'],
    hints: [
      'Never read stdin with a blocking call (readFileSync(0), readSync): the server\'s lines would wait for the user.',
      'When nothing is queued, await a promise the next event resolves; a loop that checks again, even on a timer, burns CPU.',
      'Send each typed line as soon as it is read: do not wait for its reply first.',
    ],
  },
  {
    number: 8,
    slug: 'multiserver',
    title: 'The multi-client server',
    task: 3,
    points: 20,
    goal: 'Serve many clients at once, each in its own session, with backpressure and a goodbye to all on shutdown.',
    files: ['server.ts'],
    programs: ['server'],
    hints: [
      'Keep nothing about one client in a variable all clients share: one session, one decoder per connection.',
      "Stop reading from a client whose replies are not drained (write() returned false); resume on 'drain'.",
      'On SIGTERM, say goodbye to every open connection, not only the latest.',
    ],
  },
  {
    number: 9,
    slug: 'chat',
    title: 'Client-to-client chat',
    task: 4,
    points: 30,
    goal: 'Let signed-in clients write to each other through the server, one JSON object per line.',
    files: ['messages.ts', 'server.ts', 'client.ts'],
    programs: ['server', 'client'],
    hints: [
      "Frame the JSON with your stage 4 LineDecoder (limit 4096): one object per line, never one per 'data' event.",
      'Answer every bad line with a status "3" error and keep the connection open; an unknown receiver is the sender\'s to hear about.',
      "Check the receiver's writableLength after each write: past 1 MiB, cut that receiver off.",
    ],
  },
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The kit's root folder (where package.json is). */
export const kitRoot = (): string => ROOT;

/** `01-socket`: the prefix shared by the stage's folder, test file and guide chapter. */
export const stageId = (s: Stage): string => `${String(s.number).padStart(2, '0')}-${s.slug}`;

export const stageDir = (s: Stage, base: string): string => join(base, stageId(s));
export const testFile = (s: Stage): string => join(ROOT, 'tests', `${stageId(s)}.test.ts`);
export const guideFile = (s: Stage): string => join(ROOT, 'guide', `${stageId(s)}.md`);

/** Finds a stage by number; throws a one-line error listing the valid numbers. */
export function stageByNumber(n: number): Stage {
  const found = STAGES.find((s) => s.number === n);
  if (!found) {
    const valid = STAGES.map((s) => s.number).join(', ');
    throw new Error(`There is no stage ${n}. Stages: ${valid}.`);
  }
  return found;
}

/** Parses `3`, `1-3`, `1,4-6` or `all` into stages, in course order. */
export function parseStageList(spec: string | undefined): Stage[] {
  if (!spec || spec === 'all') return [...STAGES];
  const wanted = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`Cannot read the stage list "${spec}": use e.g. 3, 1-3 or 1,4-6.`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let n = from; n <= to; n++) wanted.add(stageByNumber(n).number);
  }
  return STAGES.filter((s) => wanted.has(s.number));
}
