// Stage 2's mutation file (see kit/mutation/types.ts): mistakes of guide/02-listen.md applied to
// solutions/02-listen/listen.ts, and correct rewrites that must keep every point.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FILE = 'listen.ts';
const LISTEN_AND_WAIT = `  const listening = once(server, 'listening');
  server.listen({ host: endpoint.host, port: endpoint.port, backlog });
  try {
    await listening;
  } catch (err) {
    throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));
  }`;

export const mutants: Mutant[] = [
  {
    name: 'listen-without-host',
    mistake: 'Calls server.listen() with the port only, so the server binds every address (::).',
    covers: ['mistake 1'],
    edits: [{ file: FILE, find: 'server.listen({ host: endpoint.host, port: endpoint.port, backlog });', replace: 'server.listen({ port: endpoint.port, backlog });' }],
  },
  {
    name: 'try-catch-around-listen',
    mistake: "Wraps server.listen() in try/catch to explain EADDRINUSE; the error comes as an event, so Node's raw message gets through.",
    covers: ['mistake 2'],
    edits: [{
      file: FILE,
      find: LISTEN_AND_WAIT,
      replace: `  try {
    server.listen({ host: endpoint.host, port: endpoint.port, backlog });
  } catch (err) {
    throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));
  }
  await once(server, 'listening');`,
    }],
  },
  {
    name: 'raw-node-error',
    mistake: 'Lets the rejection of once() through as it is: "listen EADDRINUSE: address already in use 127.0.0.1:PORT".',
    covers: ['mistake 2'],
    edits: [{ file: FILE, find: '    throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));\n  }\n  const address', replace: '    throw err;\n  }\n  const address' }],
  },
  {
    name: 'once-after-an-await',
    mistake: "Starts listening, awaits a turn of the event loop, and only then calls once(server, 'listening'), which has already fired.",
    covers: ['mistake 3'],
    edits: [{
      file: FILE,
      find: LISTEN_AND_WAIT,
      replace: `  server.listen({ host: endpoint.host, port: endpoint.port, backlog });
  await new Promise((resolve) => setImmediate(resolve));
  try {
    await once(server, 'listening');
  } catch (err) {
    throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));
  }`,
    }],
  },
  {
    name: 'resolves-with-given-endpoint',
    mistake: 'Resolves with the endpoint it was given instead of server.address(), so port 0 stays 0.',
    covers: ['mistake 4'],
    edits: [{ file: FILE, find: 'return { host: address.address, port: address.port };', replace: 'return { host: endpoint.host, port: endpoint.port };' }],
  },
  {
    name: 'in-use-on-two-lines',
    mistake: 'The "in use" message puts its advice on a second line.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: 'is already in use: stop the other server', replace: 'is already in use.\\nStop the other server' }],
  },
  {
    name: 'in-use-without-port',
    mistake: 'The "in use" message does not say which port.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: 'return `Port ${port} on ${host} is already in use:', replace: 'return `The address is already in use:' }],
  },
  {
    name: 'retries-while-in-use',
    mistake: 'Works around "Address already in use" on a restart by retrying listen() until the port is free, so a port held by a live server hangs instead of failing.',
    covers: ['mistake 7'],
    edits: [{
      file: FILE,
      find: LISTEN_AND_WAIT,
      replace: `  for (;;) {
    const listening = once(server, 'listening');
    server.listen({ host: endpoint.host, port: endpoint.port, backlog });
    try {
      await listening;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }`,
    }],
  },
  {
    name: 'stop-resolves-at-close-call',
    mistake: "stopListening() resolves right after server.close() is called instead of on 'close'.",
    covers: ['mistake 8'],
    edits: [{ file: FILE, find: "  const closed = once(server, 'close');\n  server.close();\n  await closed;", replace: '  server.close();' }],
  },
  {
    name: 'refused-without-address',
    mistake: 'The refused-connection message says to start the server but not where it looked.',
    covers: ['mistake 6', 'client rule 6'],
    edits: [{ file: FILE, find: 'return `Cannot connect to the ClassChat server at ${host}:${port}: is the server running?', replace: 'return `Cannot connect to the ClassChat server: is the server running?' }],
  },
];

export const unobservable: Unobservable[] = [
  {
    name: 'line-before-listen',
    mistake: 'Prints the listening line before listen() has resolved.',
    covers: ['mistake 5'],
    why: 'Stage 2 has no program: the line is printed by 06-final/server.ts, whose suite reads the first stdout line and fails on port 0 (stage 6 mutants).',
  },
  {
    name: 'exclusive-false',
    mistake: 'Passes exclusive: false (or an invented reuseAddr option) to server.listen() to allow restarts.',
    covers: ['mistake 7'],
    why: 'Node ignores unknown options and exclusive only matters for cluster workers; libuv already sets SO_REUSEADDR, so nothing changes on the wire.',
  },
];

export const variants: Variant[] = [
  {
    name: 'callbacks-and-promise',
    how: "Plain callbacks: a new Promise with 'listening' and 'error' listeners that remove each other, server.close(callback), socket.connect(callback).",
    edits: [{
      file: FILE,
      content: `// Stage 2, written with callbacks instead of events.once.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Endpoint } from '../01-socket/endpoint.ts';

export const BACKLOG = 1;

export function listeningLine(endpoint: Endpoint): string {
  return 'ClassChat server listening on ' + endpoint.host + ':' + String(endpoint.port);
}

export function listen(server: Server, endpoint: Endpoint, backlog = BACKLOG): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new Error('Cannot listen: port ' + endpoint.port + ' is in use by another program. Stop it, or pass another --port.'));
      else if (err.code === 'EACCES') reject(new Error('Cannot listen on port ' + endpoint.port + ': permission denied; use a port of 1024 or more.'));
      else reject(new Error('Cannot listen on ' + endpoint.host + ':' + endpoint.port + ': ' + err.message));
    };
    const onListening = () => {
      server.off('error', onError);
      const { address, port } = server.address() as AddressInfo;
      resolve({ host: address, port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(endpoint.port, endpoint.host, backlog);
  });
}

export function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

export function connect(socket: Socket, endpoint: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = endpoint.host + ':' + endpoint.port;
      reject(new Error(err.code === 'ECONNREFUSED'
        ? 'Nothing is listening at ' + where + '. Start the ClassChat server first (make server).'
        : 'Cannot reach ' + where + ' (' + (err.code ?? err.message) + '). Is the server running?'));
    };
    socket.once('error', onError);
    socket.connect(endpoint.port, endpoint.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}
`,
    }],
  },
  {
    name: 'events-on-race',
    how: "Promise.race of once('listening') and a hand-made 'error' promise, an options object built first, explanations from a lookup table, close() awaited through util.promisify.",
    edits: [{
      file: FILE,
      content: `// Stage 2, written differently: a race of two promises and a table of explanations.
import { once } from 'node:events';
import type { AddressInfo, ListenOptions, Server, Socket } from 'node:net';
import { promisify } from 'node:util';
import type { Endpoint } from '../01-socket/endpoint.ts';

export const BACKLOG = 1;

export const listeningLine = ({ host, port }: Endpoint): string => \`ClassChat server listening on \${host}:\${port}\`;

const LISTEN_ADVICE: Record<string, (e: Endpoint) => string> = {
  EADDRINUSE: (e) => \`Port \${e.port} is in use by another program: choose a different --port or stop that program.\`,
  EACCES: (e) => \`Port \${e.port} needs administrator rights: pick 1024 or above.\`,
  EADDRNOTAVAIL: (e) => \`\${e.host} is not an address of this machine: use 127.0.0.1.\`,
};

export async function listen(server: Server, endpoint: Endpoint, backlog = BACKLOG): Promise<Endpoint> {
  const options: ListenOptions = { host: endpoint.host, port: endpoint.port, backlog };
  const failed = new Promise<never>((_, reject) => server.once('error', reject));
  const ready = once(server, 'listening');
  server.listen(options);
  try {
    await Promise.race([ready, failed]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const advice = LISTEN_ADVICE[code];
    throw new Error(advice ? advice(endpoint) : \`Cannot listen on \${endpoint.host}:\${endpoint.port}: \${(err as Error).message}\`);
  }
  failed.catch(() => undefined);
  const info = server.address() as AddressInfo;
  return { host: info.address, port: info.port };
}

export async function stopListening(server: Server): Promise<void> {
  if (server.listening) await promisify(server.close.bind(server))();
}

export async function connect(socket: Socket, endpoint: Endpoint): Promise<void> {
  const ready = once(socket, 'connect');
  socket.connect(endpoint);
  try {
    await ready;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'no server is running there' : code;
    throw new Error(\`Cannot connect to \${endpoint.host}:\${endpoint.port} (\${why}). Start the server with "make server" and try again.\`);
  }
}
`,
    }],
  },
];
