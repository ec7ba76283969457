// `make demo-7`: your multiplexed client against your stage-6 server. The last scene is the point
// of Task 2: the server's shutdown line reaches an idle client at once, while nobody types.
import type { DemoScript } from '../../kit/demo/script.ts';

export const demo: DemoScript = {
  title: 'ClassChat Task 2: a client that listens and types at once',
  steps: [
    { caption: 'The client connects and prints the greeting' },
    { start: 'server', stage: '06-final' },
    { start: 'client', as: 'client' },
    { expect: 'client', text: 'Connection established. Welcome to ClassChat Server!' },
    { caption: 'Typed lines go out at once, replies print as they come' },
    { type: 'client', line: 'Hello, Server!' },
    { type: 'client', line: 'Two lines in a row,' },
    { type: 'client', line: 'no waiting for the first reply.' },
    { expect: 'client', text: 'Server received: Hello, Server!' },
    { expect: 'client', text: 'Server received: Two lines in a row,' },
    { expect: 'client', text: 'Server received: no waiting for the first reply.' },
    { caption: 'Nobody types: Ctrl-C on the server, and the idle client hears it at once' },
    { signal: 'server', sig: 'SIGINT' },
    { expect: 'client', text: 'Server shutting down. Goodbye!' },
    { exit: 'server', code: 0 },
    { exit: 'client', code: 0 },
  ],
};
