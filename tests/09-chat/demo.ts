// `make demo-9`: your chat server and three of your chat clients: sign in, a message routed from
// Alice to Bob, the list of who is online, the course's required error for a receiver who is not
// there, and a goodbye that the others are told about.
import type { DemoScript } from '../../kit/demo/script.ts';

export const demo: DemoScript = {
  title: 'ClassChat Task 4: client-to-client chat',
  steps: [
    { caption: 'Alice and Bob sign in' },
    { start: 'server' },
    { start: 'client', as: 'Alice', args: ['--name', 'Alice'] },
    { expect: 'Alice', text: 'Welcome, Alice' },
    { start: 'client', as: 'Bob', args: ['--name', 'Bob'] },
    { expect: 'Bob', text: 'Welcome, Bob' },
    { expect: 'Alice', text: 'Bob joined' },
    { caption: 'Alice writes to Bob through the server' },
    { type: 'Alice', line: '@Bob Hi, do you know how TCP works?' },
    { expect: 'Bob', text: '[Alice] Hi, do you know how TCP works?' },
    { type: 'Bob', line: '@Alice Bytes in order, no message boundaries.' },
    { expect: 'Alice', text: '[Bob] Bytes in order, no message boundaries.' },
    { caption: 'Who is online' },
    { type: 'Alice', line: '/who' },
    { expect: 'Alice', text: '* Online: Alice, Bob' },
    { caption: 'A receiver who is not there: the sender is told, nothing is lost silently' },
    { type: 'Alice', line: '@Dave are you there?' },
    { expect: 'Alice', text: '! ' },
    { caption: 'Bob leaves; Alice is told' },
    { type: 'Bob', line: 'exit' },
    { exit: 'Bob', code: 0 },
    { expect: 'Alice', text: 'Bob left' },
    { type: 'Alice', line: 'exit' },
    { exit: 'Alice', code: 0 },
    { signal: 'server', sig: 'SIGINT' },
    { exit: 'server', code: 0 },
  ],
};
