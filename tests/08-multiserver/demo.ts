// `make demo-8`: your multi-client server with three of your stage-7 clients at once: each has its
// own conversation, one leaves without disturbing the others, and Ctrl-C says goodbye to all.
import type { DemoScript } from '../../kit/demo/script.ts';

export const demo: DemoScript = {
  title: 'ClassChat Task 3: one server, many clients at once',
  steps: [
    { caption: 'Three clients connect; every one is greeted, nobody is told the server is busy' },
    { start: 'server' },
    { start: 'client', as: 'Alice', stage: '07-multiplex' },
    { expect: 'Alice', text: 'Connection established. Welcome to ClassChat Server!' },
    { start: 'client', as: 'Bob', stage: '07-multiplex' },
    { expect: 'Bob', text: 'Connection established. Welcome to ClassChat Server!' },
    { start: 'client', as: 'Carol', stage: '07-multiplex' },
    { expect: 'Carol', text: 'Connection established. Welcome to ClassChat Server!' },
    { caption: 'Each conversation is its own' },
    { type: 'Alice', line: 'Hello from Alice' },
    { type: 'Bob', line: 'Hello from Bob' },
    { type: 'Carol', line: 'Hello from Carol' },
    { expect: 'Alice', text: 'Server received: Hello from Alice' },
    { expect: 'Bob', text: 'Server received: Hello from Bob' },
    { expect: 'Carol', text: 'Server received: Hello from Carol' },
    { caption: 'Bob leaves; the others carry on' },
    { type: 'Bob', line: 'exit' },
    { expect: 'Bob', text: 'Goodbye! Connection closing...' },
    { exit: 'Bob', code: 0 },
    { type: 'Alice', line: 'Still here' },
    { expect: 'Alice', text: 'Server received: Still here' },
    { caption: 'Ctrl-C on the server: every client still connected gets the goodbye' },
    { signal: 'server', sig: 'SIGINT' },
    { expect: 'Alice', text: 'Server shutting down. Goodbye!' },
    { expect: 'Carol', text: 'Server shutting down. Goodbye!' },
    { exit: 'server', code: 0 },
    { exit: 'Alice', code: 0 },
    { exit: 'Carol', code: 0 },
  ],
};
