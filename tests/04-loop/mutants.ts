// Stage 4's mutation check (issue 7): each mutant is one documented mistake made in a copy of
// solutions/04-loop/, and the stage 4 suite must take points from every one of them; each variant
// is a correct rewrite that must keep full points. Paths are relative to solutions/04-loop/.
import type { Mutant, Unobservable, Variant } from '../../kit/mutation/types.ts';

const FRAMING = 'framing.ts';
const LOOP = 'loop.ts';

export const mutants: Mutant[] = [
  {
    name: 'chunk-is-a-message',
    mistake: "Treats each 'data' chunk as one message.",
    covers: ['mistake 1'],
    edits: [{
      file: FRAMING,
      find: '    const frames: Frame[] = [];\n    let rest = chunk;',
      replace: "    return [{ kind: 'line', text: chunk.toString('utf8').replace(/\\r?\\n$/, '') }];\n    const frames: Frame[] = [];\n    let rest = chunk;",
    }],
  },
  {
    name: 'drops-unfinished-tail',
    mistake: 'Splits each chunk at "\\n" and drops the bytes after the last newline instead of keeping them.',
    covers: ['mistake 1'],
    edits: [{ file: FRAMING, find: '    this.keep(rest, frames);\n    return frames;', replace: '    return frames;' }],
  },
  {
    name: 'decodes-each-chunk',
    mistake: 'Turns every chunk into text before its line is complete, so a split character becomes two U+FFFD.',
    covers: ['mistake 2'],
    edits: [{ file: FRAMING, find: '    let rest = chunk;', replace: "    let rest = Buffer.from(chunk.toString('utf8'));" }],
  },
  {
    name: 'counts-characters',
    mistake: 'Measures the line in characters (text.length) instead of UTF-8 bytes.',
    covers: ['mistake 3', 'server rule 5'],
    edits: [
      {
        file: FRAMING,
        find: 'if (this.pending.length + bytes.length > this.maxBytes + 1) {',
        replace: "if (this.pending.toString('utf8').length + bytes.toString('utf8').length > this.maxBytes + 1) {",
      },
      { file: FRAMING, find: 'if (line.length > this.maxBytes) {', replace: "if (line.toString('utf8').length > this.maxBytes) {" },
    ],
  },
  {
    name: 'stores-then-measures',
    mistake: 'Stores the whole line and checks its length only when the newline arrives: memory grows with the line.',
    covers: ['mistake 4', 'server rule 5'],
    edits: [{ file: FRAMING, find: 'if (this.pending.length + bytes.length > this.maxBytes + 1) {', replace: 'if (this.pending.length + bytes.length > Infinity) {' }],
  },
  {
    name: 'too-long-per-chunk',
    mistake: 'Reports a too-long line once per chunk instead of once per line.',
    covers: ['mistake 4', 'server rule 5'],
    edits: [{ file: FRAMING, find: '    const frames: Frame[] = [];\n    let rest = chunk;', replace: '    const frames: Frame[] = [];\n    this.discarding = false;\n    let rest = chunk;' }],
  },
  {
    name: 'one-byte-over-is-fine',
    mistake: 'Lets a line of 1025 bytes through: the byte kept for a "\\r" is counted as part of the limit.',
    covers: ['server rule 5'],
    edits: [{ file: FRAMING, find: 'if (line.length > this.maxBytes) {', replace: 'if (line.length > this.maxBytes + 1) {' }],
  },
  {
    name: 'strips-every-cr',
    mistake: 'Removes every "\\r" from the line, not only the one before the "\\n".',
    covers: ['mistake 5'],
    edits: [{
      file: FRAMING,
      find: 'if (line.at(-1) === CARRIAGE_RETURN) line = line.subarray(0, -1);',
      replace: 'line = Buffer.from(line.filter((b) => b !== CARRIAGE_RETURN));',
    }],
  },
  {
    name: 'trims-before-quoting',
    mistake: 'Quotes line.trim() in the reply instead of the line as it came.',
    covers: ['mistake 5', 'server rule 2'],
    edits: [{ file: LOOP, find: '`${RECEIVED}${line}`', replace: '`${RECEIVED}${line.trim()}`' }],
  },
  {
    name: 'one-decoder-per-server',
    mistake: 'Creates one LineDecoder for the whole server instead of one per connection.',
    covers: ['mistake 6'],
    edits: [{
      file: LOOP,
      find: 'export function readMessages(client: Socket, onLine: LineHandler): void {\n  const decoder = new LineDecoder();',
      replace: 'const shared = new LineDecoder();\nexport function readMessages(client: Socket, onLine: LineHandler): void {\n  const decoder = shared;',
    }],
  },
  {
    name: 'client-with-server-limit',
    mistake: 'The client decodes replies with the 1024-byte limit, so the reply to a long message is dropped.',
    covers: ['mistake 7'],
    edits: [{ file: LOOP, find: 'new LineDecoder(MAX_REPLY_BYTES)', replace: 'new LineDecoder()' }],
  },
  {
    name: 'client-forgets-resume',
    mistake: 'readReplies() adds its listener but never calls socket.resume() on the socket readAck() paused.',
    covers: ['mistake 7'],
    edits: [{ file: LOOP, find: '  socket.resume();\n', replace: '' }],
  },
  {
    name: 'answers-blank-lines',
    mistake: 'Skips only empty lines, so a line of spaces or tabs gets a reply.',
    covers: ['server rule 3'],
    edits: [{ file: LOOP, find: "line.trim() === ''", replace: "line === ''" }],
  },
  {
    name: 'replies-out-of-order',
    mistake: "Answers the lines of one chunk in another order than they came (here: the chunk's last line first).",
    covers: ['server rule 2'],
    edits: [{ file: LOOP, find: '    for (const frame of decoder.push(chunk)) {\n      if (frame.kind === \'line\') onLine(frame.text);\n      else if', replace: '    for (const frame of decoder.push(chunk).reverse()) {\n      if (frame.kind === \'line\') onLine(frame.text);\n      else if' }],
  },
  {
    name: 'too-long-without-error',
    mistake: 'Drops a too-long line without telling the client.',
    covers: ['server rule 5'],
    edits: [{ file: LOOP, find: 'else if (client.writable) client.write(`${TOO_LONG}\\n`);', replace: '' }],
  },
  {
    name: 'too-long-closes',
    mistake: 'Closes the connection after the too-long error instead of serving the next line.',
    covers: ['server rule 5'],
    edits: [{ file: LOOP, find: 'else if (client.writable) client.write(`${TOO_LONG}\\n`);', replace: 'else if (client.writable) client.end(`${TOO_LONG}\\n`);' }],
  },
  {
    name: 'client-prints-prefix',
    mistake: 'The client prints server lines with a prefix ("< ") instead of verbatim.',
    covers: ['client rule 1'],
    edits: [{ file: LOOP, find: 'output.write(`${line}\\n`)', replace: 'output.write(`< ${line}\\n`)' }],
  },
  {
    name: 'client-sends-crlf',
    mistake: 'The client ends the lines it sends with "\\r\\n" instead of "\\n".',
    covers: ['client rule 3'],
    edits: [{ file: LOOP, find: 'if (socket.writable) socket.write(`${line}\\n`);', replace: 'if (socket.writable) socket.write(`${line}\\r\\n`);' }],
  },
];

export const unobservable: Unobservable[] = [];

// A decoder that walks the bytes one by one and keeps the pieces of a line in a list.
const BYTE_LOOP_DECODER = `// A correct variant: scans byte by byte and joins a line's pieces only when it is complete.
export const MAX_LINE_BYTES = 1024;
export type Frame = { kind: 'line'; text: string } | { kind: 'too-long' };

export class LineDecoder {
  private pieces: Buffer[] = [];
  private held = 0;
  private skipping = false;

  constructor(readonly maxBytes: number = MAX_LINE_BYTES) {}

  get buffered(): number {
    return this.held;
  }

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      this.take(chunk.subarray(start, i), out);
      this.finish(out);
      start = i + 1;
    }
    this.take(chunk.subarray(start), out);
    return out;
  }

  private take(bytes: Buffer, out: Frame[]): void {
    if (this.skipping || bytes.length === 0) return;
    if (this.held + bytes.length > this.maxBytes + 1) {
      out.push({ kind: 'too-long' });
      this.pieces = [];
      this.held = 0;
      this.skipping = true;
      return;
    }
    this.pieces.push(Buffer.from(bytes));
    this.held += bytes.length;
  }

  private finish(out: Frame[]): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    let line = Buffer.concat(this.pieces, this.held);
    this.pieces = [];
    this.held = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxBytes) out.push({ kind: 'too-long' });
    else out.push({ kind: 'line', text: new TextDecoder().decode(line) });
  }
}
`;

export const variants: Variant[] = [
  {
    name: 'byte-loop-decoder',
    how: 'LineDecoder scans byte by byte, keeps a list of pieces and joins them once per line, decodes with TextDecoder.',
    edits: [{ file: FRAMING, content: BYTE_LOOP_DECODER }],
  },
  {
    name: 'reply-in-pieces',
    how: 'No cork(): every reply is written in three pieces (prefix, line, newline), the too-long error in two.',
    edits: [
      { file: LOOP, find: '    client.cork();\n', replace: '' },
      { file: LOOP, find: '    client.uncork();\n', replace: '' },
      { file: LOOP, find: 'else if (client.writable) client.write(`${TOO_LONG}\\n`);', replace: "else if (client.writable) {\n        client.write(TOO_LONG);\n        client.write('\\n');\n      }" },
      { file: LOOP, find: "    if (reply !== undefined && client.writable) client.write(`${reply}\\n`);", replace: "    if (reply === undefined || !client.writable) return;\n    client.write(RECEIVED);\n    client.write(Buffer.from(reply.slice(RECEIVED.length)));\n    client.write('\\n');" },
    ],
  },
  {
    name: 'readable-and-async-client',
    how: "The client reads replies with 'readable' and read() instead of 'data', and runClientLoop is an async function with for await over readline and once(socket, 'close').",
    edits: [
      {
        file: LOOP,
        find: "  socket.on('data', (chunk: Buffer) => {\n    for (const frame of decoder.push(chunk)) {\n      // A ClassChat server never sends one; skip it rather than print half a line.\n      if (frame.kind === 'line') onLine(frame.text);\n    }\n  });\n  // readAck() (stage 3) leaves the socket paused, and a 'data' listener alone does not undo\n  // an explicit pause().\n  socket.resume();",
        replace: "  socket.on('readable', () => {\n    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {\n      for (const frame of decoder.push(chunk)) if (frame.kind === 'line') onLine(frame.text);\n    }\n  });",
      },
      {
        file: LOOP,
        find: "export function runClientLoop(socket: Socket, input: Readable, output: Writable): Promise<void> {\n  return new Promise((resolve, reject) => {",
        replace: "export async function runClientLoop(socket: Socket, input: Readable, output: Writable): Promise<void> {\n  readReplies(socket, (line) => output.write(`${line}\\n`));\n  const closed = once(socket, 'close');\n  const typed = createInterface({ input, crlfDelay: Infinity });\n  void (async () => {\n    for await (const line of typed) if (socket.writable) socket.write(`${line}\\n`);\n  })().catch(() => {});\n  try {\n    await closed;\n  } finally {\n    typed.close();\n  }\n  return;\n  return new Promise((resolve, reject) => {",
      },
      { file: LOOP, find: "import { createInterface } from 'node:readline';", replace: "import { once } from 'node:events';\nimport { createInterface } from 'node:readline';" },
    ],
  },
];
