// `make demo-6`: the course's five Task-1 test cases played with your own server and client, for
// the screenshot the course asks for (dist/demo/stage-6.svg).
import type { DemoScript } from '../../kit/demo/script.ts';

export const demo: DemoScript = {
  title: 'ClassChat Task 1: the five test cases',
  steps: [
    { caption: '1. Basic connection' },
    { start: 'server' },
    { start: 'client', as: 'client 1' },
    { expect: 'client 1', text: 'Connection established. Welcome to ClassChat Server!' },
    { caption: '2. Message exchange' },
    { type: 'client 1', line: 'Hello, Server!' },
    { expect: 'client 1', text: 'Server received: Hello, Server!' },
    { caption: '3. Multiple messages' },
    { type: 'client 1', line: 'How are you?' },
    { type: 'client 1', line: 'TCP keeps the order.' },
    { expect: 'client 1', text: 'Server received: How are you?' },
    { expect: 'client 1', text: 'Server received: TCP keeps the order.' },
    { caption: '4. Exit command: the client leaves with code 0, the server serves the next one' },
    { type: 'client 1', line: 'exit' },
    { expect: 'client 1', text: 'Goodbye! Connection closing...' },
    { exit: 'client 1', code: 0 },
    { start: 'client', as: 'client 2' },
    { expect: 'client 2', text: 'Connection established. Welcome to ClassChat Server!' },
    { type: 'client 2', line: 'Still here?' },
    { expect: 'client 2', text: 'Server received: Still here?' },
    { caption: 'Ctrl-C on the server: it says goodbye to its client, and both exit with code 0' },
    { signal: 'server', sig: 'SIGINT' },
    { expect: 'client 2', text: 'Server shutting down. Goodbye!' },
    { exit: 'server', code: 0 },
    { exit: 'client 2', code: 0 },
    { caption: '5. Server down: a client finds nothing at the address and exits with code 1' },
    { start: 'client', as: 'client 3' },
    { exit: 'client 3', code: 1 },
  ],
};
