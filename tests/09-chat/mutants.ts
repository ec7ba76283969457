// Stage 9's mutation file: each mistake of guide/09-chat.md § Common mistakes and each rule of
// guide/protocol.md's chat server and chat client must cost points; each variant is a correct
// rewrite that must keep all 30.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const SERVER = 'server.ts';
const CLIENT = 'client.ts';
const MESSAGES = 'messages.ts';

export const mutants: Mutant[] = [
  {
    name: 'json-per-chunk',
    mistake: "Splits each 'data' chunk at \"\\n\" and parses the pieces, keeping no tail for the next chunk.",
    covers: ['mistake 1', 'chat server rule 1'],
    edits: [{
      file: SERVER,
      find: `  const decoder = new LineDecoder(MAX_CHAT_LINE_BYTES);
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {`,
      replace: `  socket.on('data', (chunk: Buffer) => {
    for (const frame of chunk.toString('utf8').split('\\n').filter((l) => l !== '').map((text) => ({ kind: 'line' as const, text }))) {`,
    }],
  },
  {
    name: 'limit-1024',
    mistake: "Keeps stage 4's default limit of 1024 bytes for the chat's lines.",
    covers: ['mistake 2', 'chat server rule 1'],
    edits: [{ file: SERVER, find: 'const decoder = new LineDecoder(MAX_CHAT_LINE_BYTES);', replace: 'const decoder = new LineDecoder();' }],
  },
  {
    name: 'parse-uncaught',
    mistake: 'Calls JSON.parse without try/catch, so a bad line throws inside the data handler.',
    covers: ['mistake 3', 'chat server rule 9'],
    edits: [{
      file: MESSAGES,
      find: `  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: 'bad-json', why: 'That line is not valid JSON (look for a trailing comma or a missing quote).' };
  }`,
      replace: '  const value: unknown = JSON.parse(line);',
    }],
  },
  {
    name: 'trusts-sender',
    mistake: "Routes by the message's own sender field without comparing it with the connection's name.",
    covers: ['mistake 4', 'chat server rule 5'],
    edits: [{ file: SERVER, find: '  if (message.sender !== me) return send(', replace: '  if ((message.sender as string) === "\\u0000") return send(' }],
  },
  {
    name: 'silent-unknown-receiver',
    mistake: 'Drops a message to a receiver who is not online without telling the sender.',
    covers: ['mistake 5', 'chat server rule 7'],
    edits: [{
      file: SERVER,
      find: `  if (!receiver) {
    return send(conn, chatError(me, 'unknown-receiver', \`"\${chat.receiver}" is not online: your message was not delivered.\`));
  }`,
      replace: '  if (!receiver) return;',
    }],
  },
  {
    name: 'case-sensitive-names',
    mistake: 'Keys the registry by the name as typed, so "alice" signs in next to "Alice" and "@bob" misses Bob.',
    covers: ['mistake 6', 'chat server rule 3', 'chat server rule 6'],
    edits: [
      { file: SERVER, find: 'return this.byName.get(name.toLowerCase());', replace: 'return this.byName.get(name);' },
      { file: SERVER, find: 'this.byName.set(name.toLowerCase(), conn);', replace: 'this.byName.set(name, conn);' },
      { file: SERVER, find: 'this.byName.delete(conn.name.toLowerCase());', replace: 'this.byName.delete(conn.name);' },
    ],
  },
  {
    name: 'leaves-only-on-exit',
    mistake: 'Removes a user only when it sends exit, not when its connection closes or resets.',
    covers: ['mistake 7', 'chat server rule 10'],
    edits: [{ file: SERVER, find: `    connections.delete(conn);
    leave(conn);`, replace: '    connections.delete(conn);' }],
  },
  {
    name: 'no-sendq',
    mistake: "Writes to every receiver without looking at its queue, so a receiver that does not read grows the server's memory.",
    covers: ['mistake 8', 'chat server rule 11'],
    edits: [{ file: SERVER, find: '  if (conn.socket.writableLength > SENDQ_LIMIT) cutOff(conn);', replace: '' }],
  },
  {
    name: 'fields-exist-only',
    mistake: 'Checks that the fields are there, not that they are strings.',
    covers: ['mistake 9', 'chat server rule 9'],
    edits: [{ file: MESSAGES, find: "    if (typeof value[field] !== 'string') return", replace: '    if (value[field] === undefined) return' }],
  },
  {
    name: 'json-by-template',
    mistake: 'The client builds its JSON with a template string, so quotes and backslashes in a text break the line.',
    covers: ['mistake 10', 'chat client rule 3'],
    edits: [{
      file: CLIENT,
      find: '      if (socket.writable) socket.write(encode(message));',
      replace: `      const chatPart = message.status === '1' ? \`,"receiver":"\${message.receiver}","text":"\${message.text}"\` : '';
      if (socket.writable) socket.write(\`{"status":"\${message.status}","sender":"\${message.sender}"\${chatPart}}\\n\`);`,
    }],
  },
  {
    name: 'prints-raw-json',
    mistake: 'The client prints each message as the JSON it came as.',
    covers: ['mistake 11', 'chat client rule 4'],
    edits: [{ file: CLIENT, find: '        console.log(line);', replace: '        console.log(frame.kind === "line" ? frame.text : line);' }],
  },
  {
    name: 'prompt-on-stdout',
    mistake: "The client asks for the name on stdout, in front of the chat's lines.",
    covers: ['mistake 11', 'chat client rule 1'],
    edits: [{ file: CLIENT, find: "process.stderr.write('Your name: ');", replace: "process.stdout.write('Your name: ');" }],
  },
  {
    name: 'ignores-refused-name',
    mistake: 'The client prints the name-taken error and stays connected, signed in as nobody.',
    covers: ['mistake 12', 'chat client rule 5'],
    edits: [{ file: CLIENT, find: `          refused = true;
          socket.end();`, replace: '          refused = true;' }],
  },
  {
    name: 'unsorted-users',
    mistake: 'Lists users in the order they signed in.',
    covers: ['mistake 13', 'chat server rule 8'],
    edits: [{ file: SERVER, find: ".map((c) => c.name ?? '').sort();", replace: ".map((c) => c.name ?? '');" }],
  },
  {
    name: 'greeting-plain-text',
    mistake: "Greets with Task 1's plain line instead of a JSON notice.",
    covers: ['chat server rule 2'],
    edits: [{ file: SERVER, find: '  send(conn, notice(ACK));', replace: '  socket.write(`${ACK}\\n`);' }],
  },
  {
    name: 'no-joined-notice',
    mistake: 'Signs the user in without telling the others who joined.',
    covers: ['chat server rule 3'],
    edits: [{ file: SERVER, find: '  broadcast(conn, `${name} joined`);', replace: '' }],
  },
  {
    name: 'anything-signs-in',
    mistake: 'Takes the sender of whatever comes first as the sign-in, even a chat message.',
    covers: ['chat server rule 4'],
    edits: [{ file: SERVER, find: "    if (message.status !== '0') return send(conn, chatError(null, 'not-signed-in',", replace: "    if (message.status === 'x' as string) return send(conn, chatError(null, 'not-signed-in'," }],
  },
  {
    name: 'forwards-to-everyone',
    mistake: 'Broadcasts each chat message to every user instead of its receiver.',
    covers: ['chat server rule 6'],
    edits: [{ file: SERVER, find: '  send(receiver, chat);', replace: '  for (const other of registry.everyoneBut(conn)) send(other, chat);' }],
  },
  {
    name: 'error-closes',
    mistake: 'Closes the connection after answering a bad line.',
    covers: ['chat server rule 9'],
    edits: [{
      file: SERVER,
      find: '  if (!parsed.ok) return send(conn, chatError(conn.name ?? null, parsed.error, parsed.why));',
      replace: '  if (!parsed.ok) { send(conn, chatError(conn.name ?? null, parsed.error, parsed.why)); conn.done = true; conn.socket.end(); return; }',
    }],
  },
  {
    name: 'blank-line-error',
    mistake: 'Answers a blank line with bad-json.',
    covers: ['chat server rule 1'],
    edits: [{ file: SERVER, find: "  if (line.trim() === '') return; // someone pressing Enter in nc", replace: '' }],
  },
  {
    name: 'reads-after-exit',
    mistake: 'Keeps handling the lines that came after exit.',
    covers: ['chat server rule 10'],
    edits: [{ file: SERVER, find: `      conn.done = true;
      leave(conn);
      conn.socket.end(encode(notice(GOODBYE)));`, replace: `      leave(conn);
      conn.socket.end(encode(notice(GOODBYE)));` }],
  },
  {
    name: 'shutdown-plain-text',
    mistake: "Sends Task 1's plain shutdown line instead of a JSON notice.",
    covers: ['chat server rule 12'],
    edits: [{ file: SERVER, find: 'socket.end(encode(notice(SHUTTING_DOWN)));', replace: 'socket.end(`${SHUTTING_DOWN}\\n`);' }],
  },
  {
    name: 'bare-name-sign-in',
    mistake: 'The client sends its bare name as the first bytes instead of a sign-in object.',
    covers: ['chat client rule 2'],
    edits: [{ file: CLIENT, find: "    send({ status: '0', sender: me });", replace: '    socket.write(`${me}\\n`);' }],
  },
  {
    name: 'eof-no-exit',
    mistake: 'The client just stops at the end of stdin without sending exit.',
    covers: ['chat client rule 3'],
    edits: [{ file: CLIENT, find: "  send({ status: '9', sender: me });\n}", replace: '}' }],
  },
  {
    name: 'every-close-is-goodbye',
    mistake: 'The client exits 0 however the connection ended.',
    covers: ['chat client rule 5'],
    edits: [{ file: CLIENT, find: '      if (!refused && (said === GOODBYE || said === SHUTTING_DOWN)) return', replace: "      if (!refused && said !== '\\u0000') return" }],
  },
];

export const unobservable: Unobservable[] = [];

export const variants: Variant[] = [
  {
    name: 'cut-off-at-once',
    how: 'A receiver past the SendQ limit is destroyed at once, without the notice and the grace second.',
    edits: [{
      file: SERVER,
      find: `  conn.socket.end(encode(notice('Disconnected: you were not reading your messages (more than 1 MiB waiting).')));
  const timer = setTimeout(() => conn.socket.destroy(), SENDQ_GRACE_MS);
  conn.socket.once('close', () => clearTimeout(timer));`,
      replace: '  conn.socket.destroy();',
    }],
  },
  {
    name: 'fields-by-status',
    how: 'parseClientMessage checks the fields with one expression per status instead of the FIELDS table.',
    edits: [{
      file: MESSAGES,
      find: `  for (const field of FIELDS[status as ClientMessage['status']]) {
    if (typeof value[field] !== 'string') return { ok: false, error: 'bad-message', why: \`A status "\${status}" message needs "\${field}" as a string.\` };
  }`,
      replace: `  const object = value;
  const strings = (...fields: string[]): boolean => fields.every((f) => typeof object[f] === 'string');
  const complete = status === '1' ? strings('sender', 'receiver', 'text') : strings('sender');
  if (!complete) return { ok: false, error: 'bad-message', why: 'A field is missing or is not a string.' };`,
    }],
  },
  {
    name: 'compare-sort',
    how: 'The names are sorted with an explicit code-point comparison.',
    edits: [{ file: SERVER, find: ".map((c) => c.name ?? '').sort();", replace: ".map((c) => c.name ?? '').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));" }],
  },
];
