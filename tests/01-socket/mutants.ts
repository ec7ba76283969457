// Stage 1's mutation file (see kit/mutation/types.ts): each mutant is a mistake the chapter warns
// about, applied to solutions/01-socket/endpoint.ts; each variant is a correct rewrite.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FILE = 'endpoint.ts';

export const mutants: Mutant[] = [
  {
    name: 'falls-back-to-process-env',
    mistake: 'Reads CLASSCHAT_HOST/CLASSCHAT_PORT from process.env when the env argument lacks them.',
    covers: ['mistake 1'],
    edits: [
      { file: FILE, find: "env.CLASSCHAT_HOST, 'CLASSCHAT_HOST'", replace: "env.CLASSCHAT_HOST ?? process.env.CLASSCHAT_HOST, 'CLASSCHAT_HOST'" },
      { file: FILE, find: "env.CLASSCHAT_PORT, 'CLASSCHAT_PORT'", replace: "env.CLASSCHAT_PORT ?? process.env.CLASSCHAT_PORT, 'CLASSCHAT_PORT'" },
    ],
  },
  {
    name: 'flags-as-a-pair',
    mistake: 'Uses the flags for both fields as soon as either flag is given, the environment otherwise.',
    covers: ['mistake 2'],
    edits: [{
      file: FILE,
      find: "  const host = pick(flags.host, '--host', env.CLASSCHAT_HOST, 'CLASSCHAT_HOST');",
      replace: `  if (flags.host !== undefined || flags.port !== undefined) {
    return {
      host: flags.host !== undefined ? parseHost(flags.host, '--host') : DEFAULT_HOST,
      port: flags.port !== undefined ? parsePort(flags.port, '--port') : DEFAULT_PORT,
    };
  }
  const host = pick(flags.host, '--host', env.CLASSCHAT_HOST, 'CLASSCHAT_HOST');`,
    }],
  },
  {
    name: 'empty-env-port-is-zero',
    mistake: 'Treats CLASSCHAT_PORT="" as set and converts it with Number(), which gives port 0.',
    covers: ['mistake 3'],
    edits: [
      { file: FILE, find: "if (envValue !== undefined && envValue !== '')", replace: 'if (envValue !== undefined)' },
      { file: FILE, find: "const port = /^\\d{1,5}$/.test(trimmed) ? Number(trimmed) : NaN;", replace: 'const port = Number(trimmed);' },
    ],
  },
  {
    name: 'number-accepts-1e3',
    mistake: 'Validates the port with Number() and a range check, so "1e3", "0x10" and "12.5" pass.',
    covers: ['mistake 4'],
    edits: [{ file: FILE, find: "const port = /^\\d{1,5}$/.test(trimmed) ? Number(trimmed) : NaN;", replace: "const port = trimmed === '' ? NaN : Number(trimmed);" }],
  },
  {
    name: 'parseint-accepts-80abc',
    mistake: 'Parses the port with parseInt(), which reads "80abc" as 80 and "12.5" as 12.',
    covers: ['mistake 4'],
    edits: [{ file: FILE, find: "const port = /^\\d{1,5}$/.test(trimmed) ? Number(trimmed) : NaN;", replace: 'const port = parseInt(trimmed, 10);' }],
  },
  {
    name: 'returns-localhost',
    mistake: "Accepts 'localhost' but returns the name instead of '127.0.0.1'.",
    covers: ['mistake 5'],
    edits: [{ file: FILE, find: "if (host === 'localhost') return DEFAULT_HOST;", replace: "if (host === 'localhost') return host;" }],
  },
  {
    name: 'message-without-value',
    mistake: 'The port error says what is wrong and where from, but not the value.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: 'throw new Error(`Invalid port "${text}" (from ${source})', replace: 'throw new Error(`Invalid port (from ${source})' }],
  },
  {
    name: 'message-value-unquoted',
    mistake: 'The error names the value without quotes, so an empty or spaced value is invisible.',
    covers: ['mistake 6'],
    edits: [
      { file: FILE, find: 'throw new Error(`Invalid port "${text}" (from ${source})', replace: 'throw new Error(`Invalid port ${text} (from ${source})' },
      { file: FILE, find: 'throw new Error(`Invalid host "${text}" (from ${source})', replace: 'throw new Error(`Invalid host ${text} (from ${source})' },
    ],
  },
  {
    name: 'message-without-source',
    mistake: 'The host error quotes the value but does not say whether it came from --host or CLASSCHAT_HOST.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: 'throw new Error(`Invalid host "${text}" (from ${source})', replace: 'throw new Error(`Invalid host "${text}"' }],
  },
  {
    name: 'message-on-two-lines',
    mistake: 'The port error puts the advice on a second line.',
    covers: ['mistake 6'],
    edits: [{ file: FILE, find: '(from ${source}): use a whole number', replace: '(from ${source}).\\nUse a whole number' }],
  },
  {
    name: 'one-shared-server',
    mistake: 'createServerSocket() returns the same module-level server on every call.',
    covers: ['mistake 7'],
    edits: [{ file: FILE, find: 'export function createServerSocket(): Server {\n  return new Server({ noDelay: true });', replace: 'const shared = new Server({ noDelay: true });\nexport function createServerSocket(): Server {\n  return shared;' }],
  },
  {
    name: 'one-shared-client',
    mistake: 'createClientSocket() returns the same module-level socket on every call.',
    covers: ['mistake 7'],
    edits: [{ file: FILE, find: 'export function createClientSocket(): Socket {\n  const socket = new Socket();', replace: 'const shared = new Socket();\nexport function createClientSocket(): Socket {\n  const socket = shared;' }],
  },
  {
    name: 'listens-in-create',
    mistake: 'createServerSocket() already calls listen() on the default port.',
    covers: ['mistake 7'],
    edits: [{ file: FILE, find: 'return new Server({ noDelay: true });', replace: 'const server = new Server({ noDelay: true });\n  server.on(\'error\', () => {});\n  server.listen(0, DEFAULT_HOST);\n  return server;' }],
  },
  {
    name: 'connects-in-create',
    mistake: 'createClientSocket() already connects to the default endpoint.',
    covers: ['mistake 7'],
    edits: [{ file: FILE, find: '  socket.setNoDelay(true);\n  return socket;', replace: "  socket.setNoDelay(true);\n  socket.on('error', () => {});\n  socket.connect(DEFAULT_PORT, DEFAULT_HOST);\n  return socket;" }],
  },
];

export const unobservable: Unobservable[] = [];

export const variants: Variant[] = [
  {
    name: 'nullish-chains-and-createServer',
    how: 'Precedence with ?? chains over a cleaned environment, parseInt after a digits check, net.createServer(), setNoDelay left out.',
    edits: [{
      file: FILE,
      content: `// Stage 1, written differently: nullish chains for precedence, net.createServer().
import { createServer, isIPv4, Socket, type Server } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 12345;
export interface EndpointFlags {
  host?: string;
  port?: string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

export function resolveEndpoint(flags: EndpointFlags, env: Record<string, string | undefined>): Endpoint {
  const envHost = nonEmpty(env.CLASSCHAT_HOST);
  const envPort = nonEmpty(env.CLASSCHAT_PORT);
  const host = flags.host !== undefined ? parseHost(flags.host, '--host') : envHost !== undefined ? parseHost(envHost, 'CLASSCHAT_HOST') : DEFAULT_HOST;
  const port = flags.port !== undefined ? parsePort(flags.port, '--port') : envPort !== undefined ? parsePort(envPort, 'CLASSCHAT_PORT') : DEFAULT_PORT;
  return { host, port };
}

export function parsePort(text: string, source: string): number {
  const digits = text.trim();
  if (/^[0-9]+$/.test(digits)) {
    const port = parseInt(digits, 10);
    if (port <= 65535) return port;
  }
  throw new Error(\`Port '\${text}' from \${source} is not a whole number from 0 to 65535.\`);
}

export function parseHost(text: string, source: string): string {
  const host = text.trim();
  if (host.toLowerCase() === 'localhost') return DEFAULT_HOST;
  if (isIPv4(host)) return host;
  throw new Error(\`Host '\${text}' from \${source} is not an IPv4 address (try 127.0.0.1).\`);
}

export function createServerSocket(): Server {
  return createServer();
}

export function createClientSocket(): Socket {
  return new Socket();
}
`,
    }],
  },
  {
    name: 'table-of-sources',
    how: 'Loops over a table of [flag, variable] sources, validates the port range with Number.isSafeInteger after a digits regex, and creates sockets with option objects.',
    edits: [{
      file: FILE,
      content: `// Stage 1, written differently: one loop over the sources of each field.
import { isIPv4, Server, Socket } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 12345;
export interface EndpointFlags {
  host?: string;
  port?: string;
}

type Source = [value: string | undefined, name: string, isFlag: boolean];

function firstSet(sources: Source[]): { value: string; name: string } | undefined {
  for (const [value, name, isFlag] of sources) {
    if (value === undefined) continue;
    if (!isFlag && value.length === 0) continue;
    return { value, name };
  }
  return undefined;
}

export function resolveEndpoint(flags: EndpointFlags, env: Record<string, string | undefined>): Endpoint {
  const host = firstSet([[flags.host, '--host', true], [env['CLASSCHAT_HOST'], 'CLASSCHAT_HOST', false]]);
  const port = firstSet([[flags.port, '--port', true], [env['CLASSCHAT_PORT'], 'CLASSCHAT_PORT', false]]);
  return {
    host: host === undefined ? DEFAULT_HOST : parseHost(host.value, host.name),
    port: port === undefined ? DEFAULT_PORT : parsePort(port.value, port.name),
  };
}

export function parsePort(text: string, source: string): number {
  const value = /^\\s*\\d+\\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 0 || value > 65535) {
    throw new Error(\`\${source} gave the port "\${text}", which is not a whole number from 0 to 65535.\`);
  }
  return value;
}

export function parseHost(text: string, source: string): string {
  const host = text.trim();
  if (host === 'localhost') return '127.0.0.1';
  if (!isIPv4(host)) throw new Error(\`\${source} gave the host "\${text}", which is not an IPv4 address like 127.0.0.1.\`);
  return host;
}

export function createServerSocket(): Server {
  return new Server({ noDelay: true, allowHalfOpen: false });
}

export function createClientSocket(): Socket {
  return new Socket({ allowHalfOpen: false }).setNoDelay(true);
}
`,
    }],
  },
];
