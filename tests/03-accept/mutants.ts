// Stage 3's mutation file (see kit/mutation/types.ts): mistakes of guide/03-accept.md, of the
// protocol's server rules 1, 6 and 7 and of client rules 7 and 8 (readAck), applied to
// solutions/03-accept/accept.ts, and correct rewrites that must keep every point.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FILE = 'accept.ts';
const ERROR_LISTENER = "    client.on('error', (err: NodeJS.ErrnoException) => log(`Client ${describePeer(client)} error: ${err.code ?? err.message}`));\n";
const GREETING = '    client.write(`${ACK}\\n`);\n';

export const mutants: Mutant[] = [
  {
    name: 'no-error-listener',
    mistake: "Adds no 'error' listener to accepted sockets, so a client's reset crashes the server.",
    covers: ['mistake 1', 'server rule 7'],
    edits: [{ file: FILE, find: ERROR_LISTENER, replace: '' }],
  },
  {
    name: 'error-listener-after-write',
    mistake: "Adds the 'error' listener after greeting the served client, so busy sockets never get one.",
    covers: ['mistake 1', 'server rule 7'],
    edits: [
      { file: FILE, find: ERROR_LISTENER, replace: '' },
      { file: FILE, find: GREETING, replace: `${GREETING}${ERROR_LISTENER}` },
    ],
  },
  {
    name: 'ack-without-newline',
    mistake: 'Writes the ACK text without its "\\n".',
    covers: ['mistake 2', 'server rule 1'],
    edits: [{ file: FILE, find: GREETING, replace: '    client.write(ACK);\n' }],
  },
  {
    name: 'ack-retyped',
    mistake: 'Retypes the greeting by hand, with a lower-case "server".',
    covers: ['mistake 2', 'server rule 1'],
    edits: [{ file: FILE, find: GREETING, replace: "    client.write('Connection established. Welcome to ClassChat server!\\n');\n" }],
  },
  {
    name: 'busy-write-destroy',
    mistake: 'Turns a busy client away with write(BUSY) and destroy() instead of end(BUSY).',
    covers: ['mistake 3', 'server rule 6'],
    edits: [{ file: FILE, find: '      client.end(`${BUSY}\\n`);', replace: '      client.write(`${BUSY}\\n`);\n      client.destroy();' }],
  },
  {
    name: 'busy-never-closed',
    mistake: 'Writes the busy line but leaves the connection open.',
    covers: ['server rule 6'],
    edits: [{ file: FILE, find: '      client.end(`${BUSY}\\n`);', replace: '      client.write(`${BUSY}\\n`);' }],
  },
  {
    name: 'busy-not-resumed',
    mistake: 'Ends a busy connection but never reads it, so a client that sent something leaves a socket open in the server.',
    covers: ['server rule 7'],
    edits: [{ file: FILE, find: '      client.resume();\n', replace: '' }],
  },
  {
    name: 'every-close-clears',
    mistake: "Clears the served client on every socket's 'close', busy ones included.",
    covers: ['mistake 4', 'server rule 6'],
    edits: [{ file: FILE, find: ERROR_LISTENER, replace: `${ERROR_LISTENER}    client.on('close', () => { current = undefined; });\n` }],
  },
  {
    name: 'clears-on-end',
    mistake: "Clears the served client on 'end', which a reset never emits.",
    covers: ['mistake 5', 'server rule 6', 'server rule 7'],
    edits: [{ file: FILE, find: "    client.on('close', () => {\n      current = undefined;", replace: "    client.on('end', () => {\n      current = undefined;" }],
  },
  {
    name: 'console-log',
    mistake: 'Logs the connection with console.log instead of the log parameter.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: '    log(`Client connected from ${peer}`);', replace: '    console.log(`Client connected from ${peer}`);' }],
  },
  {
    name: 'readack-first-chunk',
    mistake: "readAck() takes the first 'data' chunk as the whole line.",
    covers: ['mistake 7'],
    edits: [{ file: FILE, find: '      const nl = received.indexOf(0x0a);\n      if (nl === -1) return;', replace: '      const found = received.indexOf(0x0a);\n      const nl = found === -1 ? received.length : found;' }],
  },
  {
    name: 'readack-decodes-each-chunk',
    mistake: 'readAck() decodes each chunk to a string before joining, and hands the rest back re-encoded.',
    covers: ['mistake 7'],
    edits: [
      { file: FILE, find: '    let received = Buffer.alloc(0);', replace: "    let received = '';" },
      {
        file: FILE,
        find: `      received = Buffer.concat([received, chunk]);
      const nl = received.indexOf(0x0a);
      if (nl === -1) return;
      const line = received.subarray(0, nl).toString('utf8').replace(/\\r$/, '');
      const rest = received.subarray(nl + 1);`,
        replace: `      received += chunk.toString('utf8');
      const nl = received.indexOf('\\n');
      if (nl === -1) return;
      const line = received.slice(0, nl).replace(/\\r$/, '');
      const rest = Buffer.from(received.slice(nl + 1), 'utf8');`,
      },
    ],
  },
  {
    name: 'readack-busy-resolves',
    mistake: 'readAck() resolves with whatever the first line is, the busy line included.',
    covers: ['client rule 7'],
    edits: [{ file: FILE, find: "      if (line === BUSY) reject(new Error('The server is busy with another client. Try again later.'));\n      else resolve(line);", replace: '      resolve(line);' }],
  },
  {
    name: 'readack-waits-forever-on-close',
    mistake: "readAck() listens for 'data' only, so a server that closes or resets before greeting leaves it waiting forever.",
    covers: ['client rule 8'],
    edits: [
      { file: FILE, find: "    socket.once('end', onEnd);\n", replace: '' },
      { file: FILE, find: "    socket.once('error', onError);\n", replace: '' },
    ],
  },
  {
    name: 'readack-ignores-reset',
    mistake: "readAck() handles 'end' but not 'error', so a reset before the greeting leaves it waiting.",
    covers: ['client rule 8'],
    edits: [{ file: FILE, find: "    socket.once('error', onError);\n", replace: '' }],
  },
  {
    name: 'readack-no-unshift',
    mistake: 'readAck() drops the bytes that came after the greeting in the same chunk.',
    covers: ['mistake 8'],
    edits: [{ file: FILE, find: '      if (rest.length > 0) socket.unshift(rest);\n', replace: '' }],
  },
  {
    name: 'readack-keeps-listener',
    mistake: "readAck() leaves its 'data' listener attached after it resolves.",
    covers: ['mistake 8'],
    edits: [{ file: FILE, find: "      socket.off('data', onData);\n", replace: '' }],
  },
  {
    name: 'readack-never-pauses',
    mistake: 'readAck() removes its listeners but leaves the socket flowing.',
    covers: ['mistake 8'],
    edits: [{ file: FILE, find: '      socket.pause();\n', replace: '' }],
  },
];

export const unobservable: Unobservable[] = [
  {
    name: 'error-listener-later-same-tick',
    mistake: "Adds the 'error' listener to every socket, but after the first write() in the same handler.",
    covers: ['mistake 1'],
    why: "Node emits 'error' asynchronously, so a listener added later in the same synchronous handler still catches every error; no client can tell. (Leaving busy sockets without one is the mutant error-listener-after-write.)",
  },
];

export const variants: Variant[] = [
  {
    name: 'flag-split-writes-readable',
    how: "A boolean busy flag, the ACK written in two pieces, write(BUSY) then end(), 'close' via once(); readAck reads with 'readable' and socket.read().",
    edits: [{
      file: FILE,
      content: `// Stage 3, written differently: a flag, split writes, and readAck in paused mode.
import type { Server, Socket } from 'node:net';

export const ACK = 'Connection established. Welcome to ClassChat Server!';
export const BUSY = 'Server busy: another client is connected. Try again later.';
export type Session = (client: Socket) => void;

export function describePeer(socket: Socket): string {
  return [socket.remoteAddress, socket.remotePort].join(':');
}

export function acceptClients(server: Server, session: Session, log: (line: string) => void = console.log): void {
  let busy = false;
  server.addListener('connection', (client: Socket) => {
    client.on('error', (err: NodeJS.ErrnoException) => log('error from ' + describePeer(client) + ': ' + (err.code ?? err.message)));
    if (busy) {
      client.write(BUSY);
      client.write('\\n');
      client.end();
      client.on('data', () => {}); // read and drop: only a reading socket sees the client leave
      return;
    }
    busy = true;
    client.once('close', () => {
      busy = false;
    });
    log('Client connected from ' + describePeer(client));
    client.write(ACK);
    client.write('\\n');
    session(client);
  });
}

export function readAck(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const before: Buffer[] = [];
    const finish = (settle: () => void): void => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
      settle();
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        const nl = chunk.indexOf('\\n');
        if (nl < 0) {
          before.push(chunk);
          continue;
        }
        let line = Buffer.concat([...before, chunk.subarray(0, nl)]).toString('utf8');
        if (line.endsWith('\\r')) line = line.slice(0, -1);
        const rest = chunk.subarray(nl + 1);
        finish(() => {
          if (rest.length) socket.unshift(rest);
          if (line === BUSY) reject(new Error('Server busy: try again later.'));
          else resolve(line);
        });
        return;
      }
    };
    const onEnd = (): void => finish(() => reject(new Error('The server hung up before sending its greeting.')));
    const onError = (err: NodeJS.ErrnoException): void => finish(() => reject(new Error('Connection failed: ' + (err.code ?? err.message))));
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
  });
}
`,
    }],
  },
  {
    name: 'identity-check-stringdecoder',
    how: "A 'close' handler on every socket that clears only if it is the served one, end(Buffer); readAck decodes the line with a StringDecoder as it grows and unshifts the raw rest.",
    edits: [{
      file: FILE,
      content: `// Stage 3, written differently: identity check on close, StringDecoder for the line.
import type { Server, Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export const ACK = 'Connection established. Welcome to ClassChat Server!';
export const BUSY = 'Server busy: another client is connected. Try again later.';
export type Session = (client: Socket) => void;

export const describePeer = (socket: Socket): string => \`\${socket.remoteAddress}:\${socket.remotePort}\`;

export function acceptClients(server: Server, session: Session, log: (line: string) => void = console.log): void {
  let served: Socket | null = null;
  function onConnection(client: Socket): void {
    client.on('error', () => log(\`Lost \${describePeer(client)}\`));
    client.on('close', () => {
      if (served === client) served = null;
    });
    if (served !== null) {
      client.end(Buffer.from(BUSY + '\\n', 'utf8')).resume();
      return;
    }
    served = client;
    log(\`Client connected from \${describePeer(client)}\`);
    client.write(Buffer.from(ACK + '\\n', 'utf8'));
    session(client);
  }
  server.on('connection', onConnection);
}

export function readAck(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    function done(): void {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      socket.pause();
    }
    function onData(chunk: Buffer): void {
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) {
        text += decoder.write(chunk);
        return;
      }
      text += decoder.end(chunk.subarray(0, nl));
      done();
      if (nl + 1 < chunk.length) socket.unshift(chunk.subarray(nl + 1));
      const line = text.replace(/\\r$/, '');
      if (line === BUSY) reject(new Error('The server is busy; try again later.'));
      else resolve(line);
    }
    function onEnd(): void {
      done();
      reject(new Error('The server closed the connection without a greeting.'));
    }
    function onError(err: NodeJS.ErrnoException): void {
      done();
      reject(new Error(\`Connection error before the greeting: \${err.code ?? err.message}\`));
    }
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
  });
}
`,
    }],
  },
];
