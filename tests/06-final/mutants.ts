// Stage 6's mutation check (issue 7): each mutant is one mistake made while assembling the
// programs, in a copy of solutions/06-final/; the stage 6 suite must take points from every one,
// and each variant, a correct rewrite, must keep full points. Paths are relative to
// solutions/06-final/. Mistakes inside earlier stages' modules are those stages' mutants.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const SERVER = 'server.ts';
const CLIENT = 'client.ts';
const COMMAND_LINE = 'command-line.ts';

export const mutants: Mutant[] = [
  {
    name: 'hard-coded-port',
    mistake: 'The server listens on port 12345 whatever --port says.',
    covers: ['mistake 1'],
    edits: [{ file: SERVER, find: '    endpoint = resolveEndpoint(line.flags, process.env);', replace: '    endpoint = { ...resolveEndpoint(line.flags, process.env), port: 12345 };' }],
  },
  {
    name: 'listening-line-before-listen',
    mistake: 'Prints the listening line from the requested endpoint before listen(), so --port 0 is announced as port 0.',
    covers: ['mistake 2'],
    edits: [
      { file: SERVER, find: '  let bound;\n  try {', replace: '  console.log(listeningLine(endpoint));\n  try {' },
      { file: SERVER, find: '    bound = await listen(server, endpoint);', replace: '    await listen(server, endpoint);' },
      { file: SERVER, find: '  console.log(listeningLine(bound));\n', replace: '' },
    ],
  },
  {
    name: 'log-before-listening-line',
    mistake: 'Prints a log line on stdout before the listening line.',
    covers: ['mistake 2'],
    edits: [{ file: SERVER, find: '  const server = createServerSocket();', replace: "  console.log('Starting the ClassChat server...');\n  const server = createServerSocket();" }],
  },
  {
    name: 'own-line-splitting',
    mistake: "The server reads lines with its own 'data' handler that splits each chunk, instead of stage 4's readMessages.",
    covers: ['mistake 3', 'server rule 2'],
    edits: [{
      file: SERVER,
      find: 'void serveSession(client, { reply: replyTo, readLines: readMessages });',
      replace: "void serveSession(client, { reply: replyTo, readLines: (socket, onLine) => socket.on('data', (chunk: Buffer) => chunk.toString('utf8').split('\\n').filter((l) => l !== '').forEach((l) => onLine(l.replace(/\\r$/, '')))) });",
    }],
  },
  {
    name: 'readline-in-server',
    mistake: "The server leaves out readLines, so the session reads with readline: no length limit, and a lone \"\\r\" ends a line.",
    covers: ['mistake 3', 'server rule 5'],
    edits: [{ file: SERVER, find: 'void serveSession(client, { reply: replyTo, readLines: readMessages });', replace: 'void serveSession(client, { reply: replyTo });' }],
  },
  {
    name: 'trims-in-server',
    mistake: 'The server trims each line before replying to it.',
    covers: ['mistake 4', 'server rule 2'],
    edits: [{ file: SERVER, find: 'void serveSession(client, { reply: replyTo, readLines: readMessages });', replace: 'void serveSession(client, { reply: (line) => replyTo(line.trim()), readLines: readMessages });' }],
  },
  {
    name: 'no-signal-handler',
    mistake: 'The server never handles SIGINT or SIGTERM, so a signal kills it without a word to the client.',
    covers: ['mistake 5', 'server rule 8'],
    edits: [{ file: SERVER, find: '  const signal = await stopRequested();', replace: "  const signal = await new Promise<string>(() => {});" }],
  },
  {
    name: 'exit-without-shutdown',
    mistake: 'On a signal the server calls process.exit(0) at once, without the shutdown line.',
    covers: ['mistake 5', 'server rule 8'],
    edits: [{ file: SERVER, find: '  await shutdown(server, clients);', replace: '  process.exit(0);' }],
  },
  {
    name: 'untracked-clients',
    mistake: 'The server never calls trackClients(), so shutdown() reaches no client and the server never exits.',
    covers: ['mistake 6', 'server rule 8'],
    edits: [{ file: SERVER, find: '  const clients = trackClients(server);', replace: '  const clients = new Set<import(\'node:net\').Socket>();\n  void trackClients;' }],
  },
  {
    name: 'in-use-exit-code-2',
    mistake: 'The server exits with 2 (bad usage) when the port is taken, instead of 1.',
    covers: ['mistake 8'],
    edits: [{ file: SERVER, find: '    return CANNOT_LISTEN;', replace: '    return EXIT_CODES.usage;' }],
  },
  {
    name: 'lenient-command-line',
    mistake: 'parseArgs with strict: false, so an unknown flag is ignored instead of reported.',
    covers: ['mistake 7', 'client rule 9'],
    edits: [{ file: COMMAND_LINE, find: 'args: argv,', replace: 'args: argv,\n      strict: false,' }, { file: COMMAND_LINE, find: 'flags: { host: values.host, port: values.port } };', replace: 'flags: { host: values.host as string | undefined, port: values.port as string | undefined } };' }, { file: COMMAND_LINE, find: 'help: values.help ?? false,', replace: 'help: values.help === true,' }],
  },
  {
    name: 'client-usage-exit-1',
    mistake: 'The client exits with 1 on bad usage instead of 2.',
    covers: ['mistake 8', 'client rule 9'],
    edits: [{ file: CLIENT, find: '    console.error((err as Error).message);\n    return EXIT_CODES.usage;', replace: '    console.error((err as Error).message);\n    return 1;' }],
  },
  {
    name: 'client-prefixes-greeting',
    mistake: 'The client prints the greeting with a prefix ("[server] ").',
    covers: ['mistake 9', 'client rule 1'],
    edits: [{ file: CLIENT, find: '    console.log(await readAck(socket));', replace: '    console.log(`[server] ${await readAck(socket)}`);' }],
  },
  {
    name: 'client-prompt-on-stdout',
    mistake: 'The client prints a "> " prompt on stdout.',
    covers: ['mistake 9', 'client rule 2'],
    edits: [{ file: CLIENT, find: '  const end = await runClient(', replace: "  process.stdout.write('> ');\n  const end = await runClient(" }],
  },
  {
    name: 'client-readline-reader',
    mistake: "The client reads server lines with readline (runClient's default) instead of stage 4's readReplies, so a lone \"\\r\" splits a line.",
    covers: ['mistake 3', 'client rule 1'],
    edits: [{ file: CLIENT, find: 'runClient(socket, process.stdin, process.stdout, readReplies);', replace: 'runClient(socket, process.stdin, process.stdout);\n  void readReplies;' }],
  },
  {
    name: 'client-unreachable-vague',
    mistake: 'When nothing listens, the client prints a message that names neither the address nor the way out.',
    covers: ['mistake 10', 'client rule 6'],
    edits: [{ file: CLIENT, find: "    // Stage 2's message says the server may not be running and how to start it.\n    console.error((err as Error).message);", replace: "    console.error('Could not connect.');" }],
  },
  {
    name: 'client-unreachable-exit-0',
    mistake: 'The client exits with 0 when nothing listens.',
    covers: ['mistake 8', 'client rule 6'],
    edits: [{ file: CLIENT, find: '    return EXIT_CODES.unreachable;', replace: '    return 0;' }],
  },
  {
    name: 'client-busy-exit-0',
    mistake: 'The client exits with 0 when the server is busy.',
    covers: ['mistake 8', 'client rule 7'],
    edits: [{ file: CLIENT, find: '    return EXIT_CODES.busy;', replace: '    return 0;' }],
  },
  {
    name: 'client-lost-exit-0',
    mistake: 'The client exits with 0 however the session ended.',
    covers: ['mistake 8', 'client rule 8'],
    edits: [{ file: CLIENT, find: '  return EXIT_CODES[end];', replace: '  return 0;' }],
  },
  {
    name: 'client-lost-silent',
    mistake: 'The client exits with 1 when the connection is lost, but says nothing.',
    covers: ['mistake 10', 'client rule 8'],
    edits: [{ file: CLIENT, find: "  if (end === 'lost') console.error(CONNECTION_LOST);\n", replace: '  void CONNECTION_LOST;\n' }],
  },
];

export const unobservable: Unobservable[] = [];

// readCommandLine without parseArgs: a loop over the words, same messages.
const MANUAL_COMMAND_LINE = `// A correct variant: the command line read by hand instead of with util.parseArgs.
import type { EndpointFlags } from '../01-socket/endpoint.ts';
import { usage, UsageError } from '../05-exit/usage.ts';

export interface CommandLine {
  help: boolean;
  flags: EndpointFlags;
}

export function readCommandLine(program: string, argv: string[]): CommandLine {
  const flags: EndpointFlags = {};
  let help = false;
  const fail = (problem: string): never => {
    throw new UsageError(\`\${problem}. \${usage(program)}\`);
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const [name, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (name === '--help' || name === '-h') {
      help = true;
    } else if (name === '--host' || name === '--port') {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(\`Option '\${name} <value>' argument missing\`);
      if (name === '--host') flags.host = value;
      else flags.port = value;
    } else if (name.startsWith('-')) {
      fail(\`Unknown option '\${name}'\`);
    } else {
      fail(\`Unexpected argument '\${word}'\`);
    }
  }
  return { help, flags };
}
`;

export const variants: Variant[] = [
  {
    name: 'manual-command-line',
    how: 'readCommandLine() walks argv by hand instead of calling util.parseArgs.',
    edits: [{ file: COMMAND_LINE, content: MANUAL_COMMAND_LINE }],
  },
  {
    name: 'chatty-promise-chains',
    how: 'The client is a chain of then() calls instead of await, shows a "> " prompt on stderr, and the server logs more on stdout after its listening line.',
    edits: [
      {
        file: CLIENT,
        find: "  const end = await runClient(socket, process.stdin, process.stdout, readReplies);\n  if (end === 'lost') console.error(CONNECTION_LOST);\n  // Input may still be open (a terminal, or a pipe with more to come): stop reading it, or the\n  // process would wait for it before exiting.\n  process.stdin.destroy();\n  return EXIT_CODES[end];",
        replace: "  process.stderr.write('> ');\n  return runClient(socket, process.stdin, process.stdout, readReplies).then((end) => {\n    if (end === 'lost') console.error(CONNECTION_LOST);\n    process.stdin.destroy();\n    return EXIT_CODES[end];\n  });",
      },
      { file: SERVER, find: '  console.log(listeningLine(bound));\n', replace: "  console.log(listeningLine(bound));\n  console.log('Waiting for clients; Ctrl-C stops the server.');\n  server.on('connection', (socket) => console.log(`TCP connection from ${socket.remotePort}`));\n" },
    ],
  },
  {
    name: 'signals-with-process-on',
    how: 'The server waits for its signal with process.on listeners that remove each other, and exits through process.exitCode set inside main().',
    edits: [{
      file: SERVER,
      find: "  return new Promise((resolve) => {\n    process.once('SIGINT', resolve);\n    process.once('SIGTERM', resolve);\n  });",
      replace: "  return new Promise((resolve) => {\n    const stop = (signal: NodeJS.Signals): void => {\n      process.off('SIGINT', stop);\n      process.off('SIGTERM', stop);\n      resolve(signal);\n    };\n    process.on('SIGINT', stop);\n    process.on('SIGTERM', stop);\n  });",
    }],
  },
];
