// Stage 8's mutation file (see kit/mutation/types.ts): each mutant is a mistake from
// guide/08-multiserver.md § Common mistakes or a broken multi-client server rule of
// guide/protocol.md, applied to solutions/08-multiserver/server.ts; each variant is a correct rewrite.
import type { Edit, Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FILE = 'server.ts';

// Anchors in the reference solution, each present exactly once.
const LAST_IMPORT = "import { readCommandLine } from '../06-final/command-line.ts';";
const SESSION_CALL = '    void serveSession(client, { reply: replyTo, readLines: readLinesWithBackpressure });';
const BEFORE_MAIN = '/** Resolves on the first SIGINT (Ctrl-C) or SIGTERM';
const READER = `export const readLinesWithBackpressure: LineReader = (client, onLine) => {
  readMessages(client, onLine);
  pauseWhileUndrained(client);
};`;
const PAUSE_BODY = `    if (!client.writableNeedDrain || client.isPaused()) return;
    client.pause();
    client.once('drain', () => client.resume());`;

const SESSION_IMPORTS = `${LAST_IMPORT}
import { LineDecoder } from '../04-loop/framing.ts';
import { TOO_LONG } from '../04-loop/loop.ts';
import { GOODBYE, isExit } from '../05-exit/session.ts';`;

/**
 * A session written by hand instead of stage 5's serveSession: its own decoder, exit rule and
 * backpressure (pause when write() returns false). `errors` is the line that handles the
 * socket's 'error'; `target` is the socket replies go to.
 */
function handWrittenSession(opts: { errors: string; target: string; prelude?: string }): string {
  return `${opts.prelude ?? ''}
function ownSession(client: Socket): void {
  const decoder = new LineDecoder();
  let saidGoodbye = false;
  ${opts.errors}
  const send = (line: string): void => {
    const to = ${opts.target};
    if (!to.writable) return;
    if (!to.write(\`\${line}\\n\`) && !to.isPaused()) {
      to.pause();
      to.once('drain', () => to.resume());
    }
  };
  client.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (saidGoodbye) return;
      if (frame.kind === 'too-long') {
        send(TOO_LONG);
        continue;
      }
      if (isExit(frame.text)) {
        saidGoodbye = true;
        client.end(\`\${GOODBYE}\\n\`);
        return;
      }
      const answer = replyTo(frame.text);
      if (answer !== undefined) send(answer);
    }
  });
}

${BEFORE_MAIN}`;
}

/** Edits that replace serveSession with a hand-written session. */
function withHandWrittenSession(opts: { errors: string; target: string; prelude?: string; call?: string }): Edit[] {
  return [
    { file: FILE, find: LAST_IMPORT, replace: SESSION_IMPORTS },
    { file: FILE, find: BEFORE_MAIN, replace: handWrittenSession(opts) },
    { file: FILE, find: SESSION_CALL, replace: opts.call ?? '    ownSession(client);' },
  ];
}

export const mutants: Mutant[] = [
  {
    name: 'busy-rule-still-on',
    mistake: "Keeps stage 3's acceptClients, so a second client still gets the busy line.",
    covers: ['mistake 1', 'multi-client server rule 1'],
    edits: [
      { file: FILE, find: "import { ACK, describePeer } from '../03-accept/accept.ts';", replace: "import { ACK, acceptClients, describePeer } from '../03-accept/accept.ts';" },
      {
        file: FILE,
        find: `  server.on('connection', (client: Socket) => {
    const peer = describePeer(client);
    log(\`Client connected from \${peer}\`);
    client.once('close', () => log(\`Client \${peer} disconnected\`));
    client.write(\`\${ACK}\\n\`);
    session(client);
  });`,
        replace: '  acceptClients(server, session, log);',
      },
    ],
  },
  {
    name: 'backlog-of-one',
    mistake: "Listens with stage 2's backlog of 1, so a burst of clients waits for TCP's retries.",
    covers: ['mistake 2', 'multi-client server rule 2'],
    edits: [{ file: FILE, find: 'bound = await listen(server, endpoint, BACKLOG);', replace: 'bound = await listen(server, endpoint);' }],
  },
  {
    name: 'one-shared-decoder',
    mistake: 'Creates one LineDecoder for the whole server instead of one per connection.',
    covers: ['mistake 3', 'multi-client server rule 3'],
    edits: [
      { file: FILE, find: LAST_IMPORT, replace: `${LAST_IMPORT}\nimport { LineDecoder } from '../04-loop/framing.ts';\nimport { TOO_LONG } from '../04-loop/loop.ts';` },
      {
        file: FILE,
        find: READER,
        replace: `const decoder = new LineDecoder();
export const readLinesWithBackpressure: LineReader = (client, onLine) => {
  client.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.kind === 'line') onLine(frame.text);
      else if (client.writable) client.write(\`\${TOO_LONG}\\n\`);
    }
  });
  pauseWhileUndrained(client);
};`,
      },
    ],
  },
  {
    name: 'replies-to-latest-client',
    mistake: 'Writes every reply to a variable holding the latest connection instead of the socket the line came from.',
    covers: ['mistake 4', 'multi-client server rule 3'],
    edits: withHandWrittenSession({
      prelude: 'let latest: Socket | undefined;',
      errors: "client.on('error', () => {});",
      target: 'latest ?? client',
      call: '    latest = client;\n    ownSession(client);',
    }),
  },
  {
    name: 'no-pause',
    mistake: "Ignores write()'s false: keeps reading a client that never reads its replies.",
    covers: ['mistake 5', 'multi-client server rule 6'],
    edits: [{ file: FILE, find: PAUSE_BODY, replace: '    return;' }],
  },
  {
    name: 'pauses-everyone',
    mistake: "Pauses every connection when one client's replies pile up, and resumes them all on its 'drain'.",
    covers: ['mistake 6', 'multi-client server rule 5'],
    edits: [
      { file: FILE, find: 'export function pauseWhileUndrained(client: Socket): void {', replace: 'const everyone = new Set<Socket>();\nexport function pauseWhileUndrained(client: Socket): void {\n  everyone.add(client);\n  client.once(\'close\', () => everyone.delete(client));' },
      { file: FILE, find: PAUSE_BODY, replace: "    if (!client.writableNeedDrain || client.isPaused()) return;\n    for (const c of everyone) c.pause();\n    client.once('drain', () => { for (const c of everyone) c.resume(); });" },
    ],
  },
  {
    name: 'reset-crashes-server',
    mistake: "Writes its own session without an 'error' listener, so a client's reset crashes the server.",
    covers: ['mistake 7', 'multi-client server rule 5'],
    edits: withHandWrittenSession({ errors: '// no error listener', target: 'client' }),
  },
  {
    name: 'exit-closes-listener',
    mistake: 'Closes the listening socket once a client says exit or leaves, as the course\'s Task-1 server ended.',
    covers: ['mistake 8', 'multi-client server rule 4'],
    edits: [{ file: FILE, find: SESSION_CALL, replace: '    void serveSession(client, { reply: replyTo, readLines: readLinesWithBackpressure }).then(() => server.close());' }],
  },
  {
    name: 'goodbye-to-one',
    mistake: 'Remembers only the latest connection for the shutdown, so only that client hears the goodbye.',
    covers: ['mistake 9', 'multi-client server rule 7'],
    edits: [{
      file: FILE,
      find: '  const clients = trackClients(server);',
      replace: `  let latest: Socket | undefined;
  server.on('connection', (socket: Socket) => {
    latest = socket;
  });
  const clients = {
    get size(): number {
      return latest ? 1 : 0;
    },
    *[Symbol.iterator](): Generator<Socket> {
      if (latest) yield latest;
    },
  };
  void trackClients;`,
    }],
  },
];

export const unobservable: Unobservable[] = [];

export const variants: Variant[] = [
  {
    name: 'own-session-write-false',
    how: "A hand-written session per connection (own LineDecoder, exit rule, error listener) that pauses when write() returns false and resumes on 'drain'.",
    edits: withHandWrittenSession({ errors: "client.on('error', (err: NodeJS.ErrnoException) => console.log(`Client error: ${err.code ?? err.message}`));", target: 'client' }),
  },
  {
    name: 'pause-on-writable-length',
    how: "Compares writableLength with writableHighWaterMark and keeps one permanent 'drain' listener per socket that resumes it.",
    edits: [
      {
        file: FILE,
        find: `  client.on('data', () => {\n${PAUSE_BODY}\n  });`,
        replace: `  client.on('drain', () => client.resume());
  client.on('data', () => {
    if (client.writableLength >= client.writableHighWaterMark) client.pause();
  });`,
      },
    ],
  },
];
