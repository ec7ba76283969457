// make try-4: your LineDecoder fed what you type. Each typed line is pushed as one chunk; write
// \n inside a line for a newline in the middle, and end a line with \ to push it without its
// newline (so a line can arrive in pieces). Shows the frames and what replyTo() answers.
import type * as Framing from '../../stages/04-loop/framing.ts';
import type * as Loop from '../../stages/04-loop/loop.ts';
import { attempt, load, typed } from './common.ts';

const framing = await load<typeof Framing>('04-loop', 'framing.ts');
const loop = await load<typeof Loop>('04-loop', 'loop.ts');
const decoder = new framing.LineDecoder();
process.stdout.write('Each line you type is one chunk. "\\n" inside it is a newline; a trailing "\\" sends it without one. Ctrl-D ends.\n');
const rl = typed('chunk> ');
rl.on('line', (line) => {
  const text = (line.endsWith('\\') ? line.slice(0, -1) : `${line}\n`).replaceAll('\\n', '\n');
  const frames = attempt('push', () => decoder.push(Buffer.from(text, 'utf8')));
  if (frames) {
    process.stdout.write(`  pushed ${JSON.stringify(text)} (${Buffer.byteLength(text)} bytes) → ${frames.length} frame(s)\n`);
    for (const f of frames) {
      const reply = f.kind === 'line' ? attempt('replyTo', () => loop.replyTo(f.text)) : loop.TOO_LONG;
      process.stdout.write(`    ${JSON.stringify(f)}  reply: ${reply === undefined ? '(none)' : JSON.stringify(reply)}\n`);
    }
  }
  rl.prompt();
});
