// Stage 5's mutation check (issue 7): each mutant is one documented mistake made in a copy of
// solutions/05-exit/, and the stage 5 suite must take points from every one; each variant is a
// correct rewrite that must keep full points. Paths are relative to solutions/05-exit/.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const SESSION = 'session.ts';
const SHUTDOWN = 'shutdown.ts';

export const mutants: Mutant[] = [
  {
    name: 'exit-exact-match',
    mistake: "Compares the line with 'exit' as it is, without trim() or lower-casing.",
    covers: ['mistake 1', 'server rule 4'],
    edits: [{ file: SESSION, find: 'return line.trim().toLowerCase() === EXIT;', replace: 'return line === EXIT;' }],
  },
  {
    name: 'exit-includes',
    mistake: "Ends the session on any line that contains 'exit'.",
    covers: ['mistake 1', 'server rule 4'],
    edits: [{ file: SESSION, find: 'return line.trim().toLowerCase() === EXIT;', replace: 'return line.toLowerCase().includes(EXIT);' }],
  },
  {
    name: 'goodbye-then-destroy',
    mistake: 'Writes the goodbye and then destroy()s the socket instead of end() with the goodbye.',
    covers: ['mistake 2', 'server rule 4'],
    edits: [{ file: SESSION, find: '        client.end(`${GOODBYE}\\n`);', replace: '        client.write(`${GOODBYE}\\n`);\n        client.destroy();' }],
  },
  {
    name: 'answers-after-exit',
    mistake: 'Keeps answering the lines that came after exit (no "said goodbye" flag, no writable check).',
    covers: ['mistake 3', 'server rule 4'],
    edits: [
      { file: SESSION, find: '      if (saidGoodbye) return;\n', replace: '' },
      { file: SESSION, find: 'if (answer !== undefined && client.writable) client.write', replace: 'if (answer !== undefined) client.write' },
    ],
  },
  {
    name: 'answers-after-exit-late-end',
    mistake: 'Writes the goodbye and ends the socket a moment later, answering the lines that came with exit in between.',
    covers: ['mistake 3', 'server rule 4'],
    edits: [
      { file: SESSION, find: '      if (saidGoodbye) return;\n', replace: '' },
      { file: SESSION, find: '        client.end(`${GOODBYE}\\n`);', replace: '        client.write(`${GOODBYE}\\n`);\n        setImmediate(() => client.end());' },
    ],
  },
  {
    name: 'resolves-only-on-exit',
    mistake: 'Resolves serveSession() when the client says exit instead of on the socket\'s \'close\'.',
    covers: ['mistake 4', 'server rule 7'],
    edits: [
      { file: SESSION, find: "    client.once('close', () => resolve());\n    if (client.closed) resolve();\n", replace: '' },
      { file: SESSION, find: '        saidGoodbye = true;\n', replace: '        saidGoodbye = true;\n        resolve();\n' },
    ],
  },
  {
    name: 'pauses-after-goodbye',
    mistake: 'Pauses the socket after the goodbye, so the client\'s FIN (or reset) is never read.',
    covers: ['mistake 5', 'server rule 7'],
    edits: [{ file: SESSION, find: '        client.end(`${GOODBYE}\\n`);', replace: '        client.end(`${GOODBYE}\\n`);\n        client.pause();' }],
  },
  {
    name: 'readline-without-error-listener',
    mistake: "Puts readline on the socket without an 'error' listener on the interface.",
    covers: ['mistake 6', 'server rule 7'],
    edits: [{ file: SESSION, find: "  lines.on('error', () => {});\n", replace: '' }],
  },
  {
    name: 'no-error-listener',
    mistake: "serveSession() adds no 'error' listener to the client's socket.",
    covers: ['server rule 7'],
    edits: [{ file: SESSION, find: "    client.on('error', (err: NodeJS.ErrnoException) => log(`Client ${peer} error: ${err.code ?? err.message}`));\n", replace: '' }],
  },
  {
    name: 'every-close-is-goodbye',
    mistake: "runClient() resolves 'goodbye' on every close.",
    covers: ['mistake 7', 'client rule 8'],
    edits: [{ file: SESSION, find: "resolve(last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost');", replace: "resolve('goodbye');" }],
  },
  {
    name: 'waits-for-input-end',
    mistake: 'runClient() resolves when the input ends instead of when the connection closes.',
    covers: ['mistake 7'],
    edits: [{ file: SESSION, find: "    socket.once('close', () => {\n      // Stop reading", replace: "    typed.once('close', () => {\n      // Stop reading" }],
  },
  {
    name: 'keeps-reading-input',
    mistake: 'runClient() resolves on close but never closes the input\'s readline, so the input is still read.',
    covers: ['mistake 7'],
    edits: [{ file: SESSION, find: '      typed.close();\n      resolve(last', replace: '      resolve(last' }],
  },
  {
    name: 'shutdown-line-is-lost',
    mistake: "runClient() counts only the goodbye as a clean end, not the server's shutdown line.",
    covers: ['client rule 5'],
    edits: [{ file: SESSION, find: "resolve(last === GOODBYE || last === SHUTTING_DOWN ? 'goodbye' : 'lost');", replace: "resolve(last === GOODBYE ? 'goodbye' : 'lost');" }],
  },
  {
    name: 'no-exit-at-end-of-input',
    mistake: 'runClient() sends nothing when the input ends.',
    covers: ['client rule 4'],
    edits: [{ file: SESSION, find: "    typed.once('close', () => send(EXIT));\n", replace: '' }],
  },
  {
    name: 'client-crashes-on-reset',
    mistake: "runClient() adds no 'error' listener to the socket, so a reset crashes the client.",
    covers: ['client rule 8'],
    edits: [{ file: SESSION, find: "    socket.on('error', () => {});\n", replace: '' }],
  },
  {
    name: 'awaits-close-first',
    mistake: 'shutdown() awaits server.close() before closing the clients.',
    covers: ['mistake 8', 'server rule 8'],
    edits: [{
      file: SHUTDOWN,
      find: '  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));',
      replace: '  await new Promise<void>((resolve) => server.close(() => resolve()));\n  const stopped = Promise.resolve();',
    }],
  },
  {
    name: 'forgets-clear-timeout',
    mistake: 'shutdown() leaves the grace timer running after the client closed.',
    covers: ['mistake 8'],
    edits: [{ file: SHUTDOWN, find: '      clearTimeout(timer);\n', replace: '' }],
  },
  {
    name: 'no-shutdown-line',
    mistake: 'shutdown() closes the client without the shutdown line.',
    covers: ['server rule 8'],
    edits: [{ file: SHUTDOWN, find: 'if (!client.writableEnded) client.end(`${SHUTTING_DOWN}\\n`);', replace: 'if (!client.writableEnded) client.end();' }],
  },
  {
    name: 'never-cuts-off',
    mistake: 'shutdown() waits for every client to close its side, however long that takes.',
    covers: ['server rule 8'],
    edits: [{ file: SHUTDOWN, find: 'const timer = setTimeout(() => client.destroy(), grace);', replace: 'const timer = setTimeout(() => {}, grace);' }],
  },
  {
    name: 'tracks-forever',
    mistake: "trackClients() adds sockets but never deletes them on 'close'.",
    covers: ['server rule 8'],
    edits: [{ file: SHUTDOWN, find: "    socket.once('close', () => clients.delete(socket));\n", replace: '' }],
  },
];

export const unobservable: Unobservable[] = [];

export const variants: Variant[] = [
  {
    name: 'destroys-input',
    how: "runClient() stops reading its input by destroying the input stream instead of closing readline.",
    edits: [{ file: SESSION, find: '      typed.close();\n      resolve(last', replace: '      input.destroy();\n      resolve(last' }],
  },
  {
    name: 'async-await',
    how: "serveSession() is an async function that awaits a promise of the socket's 'close'; runClient() sends input with for await over readline.",
    edits: [
      {
        file: SESSION,
        find: "export function serveSession(client: Socket, parts: SessionParts): Promise<void> {\n  const { reply, readLines = readlineLines, log = console.log } = parts;\n  const peer = `${client.remoteAddress}:${client.remotePort}`;\n  return new Promise((resolve) => {",
        replace: "export async function serveSession(client: Socket, parts: SessionParts): Promise<void> {\n  const { reply, readLines = readlineLines, log = console.log } = parts;\n  client.on('error', (err: NodeJS.ErrnoException) => log(`error ${err.code ?? err.message}`));\n  // Not events.once(): it rejects on 'error', and a reset is not the session's failure.\n  const closed = client.closed ? Promise.resolve() : new Promise<void>((resolve) => client.once('close', () => resolve()));\n  let done = false;\n  readLines(client, (line) => {\n    if (done) return;\n    if (line.trim().toLowerCase() === EXIT) {\n      done = true;\n      client.end(`${GOODBYE}\\n`);\n    } else {\n      const answer = reply(line);\n      if (answer !== undefined && client.writable) client.write(`${answer}\\n`);\n    }\n  });\n  await closed;\n}\n\nexport function unusedSession(client: Socket, parts: SessionParts): Promise<void> {\n  const { reply, readLines = readlineLines, log = console.log } = parts;\n  const peer = `${client.remoteAddress}:${client.remotePort}`;\n  return new Promise((resolve) => {",
      },
      {
        file: SESSION,
        find: "    const typed = createInterface({ input, crlfDelay: Infinity });\n    typed.on('line', send);\n    // Ctrl-D, or a file piped in that ran out: say goodbye properly instead of vanishing.\n    typed.once('close', () => send(EXIT));",
        replace: "    const typed = createInterface({ input, crlfDelay: Infinity });\n    void (async () => {\n      for await (const line of typed) send(line);\n      send(EXIT);\n    })().catch(() => {});",
      },
    ],
  },
  {
    name: 'abortable-grace-timer',
    how: 'shutdown() races each close against timers/promises setTimeout with an AbortController, then destroys a lingerer.',
    edits: [
      { file: SHUTDOWN, find: "import type { Server, Socket } from 'node:net';", replace: "import type { Server, Socket } from 'node:net';\nimport { setTimeout as sleep } from 'node:timers/promises';" },
      {
        file: SHUTDOWN,
        find: "function closeClient(client: Socket, grace: number): Promise<void> {\n  if (client.closed) return Promise.resolve();",
        replace: "async function closeClient(client: Socket, grace: number): Promise<void> {\n  if (client.closed) return;\n  client.on('error', () => {});\n  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));\n  if (!client.writableEnded) client.end(`${SHUTTING_DOWN}\\n`);\n  client.resume();\n  const timer = new AbortController();\n  try {\n    const first = await Promise.race([closed.then(() => 'closed'), sleep(grace, 'late', { signal: timer.signal })]);\n    if (first === 'late') {\n      client.destroy();\n      await closed;\n    }\n  } finally {\n    timer.abort();\n  }\n}\n\nexport function unusedCloseClient(client: Socket, grace: number): Promise<void> {\n  if (client.closed) return Promise.resolve();",
      },
    ],
  },
];
