// What the tests read of a program as a whole: every process of it (a child in a session of its
// own too, never the tests' own), its memory peaks, its sockets, its CPU time.
import { expect, test } from 'vitest';
import { cpuMs, openSockets, watchPeakMemory } from './proc.ts';
import { Program } from './program.ts';
import { Transcript } from './transcript.ts';

const onLinux = process.platform === 'linux';

/** A node program given as a script; stopped when the test ends. */
const run = (script: string): Program => Program.start(process.execPath, ['-e', script], { who: 'program', transcript: new Transcript() });

/** Starts `script` in a child in a new session, prints both pids, and stays. */
const withDetachedChild = (script: string, stdin: 'ignore' | 'inherit' = 'ignore'): string => `
  const c = require('node:child_process').spawn(process.execPath, ['--expose-gc', '-e', ${JSON.stringify(script)}], { detached: true, stdio: ['${stdin}', 'inherit', 'inherit'] });
  c.on('spawn', () => console.log('pids ' + process.pid + ' ' + c.pid));
  process.on('SIGTERM', () => { c.kill('SIGKILL'); process.exit(0); });
  setInterval(() => {}, 1000);`;

test.runIf(onLinux)('programPids: the program and a child in a session of its own, not the tests', async () => {
  const p = run(withDetachedChild('setInterval(() => {}, 1000)'));
  try {
    const [parent, child] = (await p.waitForLine('stdout', 'the pids', (l) => l.startsWith('pids '), 10_000)).split(' ').slice(1).map(Number);
    const pids = p.programPids();
    expect(pids).toEqual(expect.arrayContaining([parent, child]));
    expect(pids).not.toContain(process.pid);
    expect(pids).toHaveLength(2);
  } finally {
    await p.stop();
  }
});

test.runIf(onLinux)('a peak reached before the watch hides nothing; a hoard in a child shows', async () => {
  // 200 MiB held and freed (collected, so the peak stays above what is in use) before the child
  // is announced, then (on a line from the test) 100 MiB kept by the child: under the old peak.
  const p = run(withDetachedChild(`
    let b = Buffer.alloc(200 * 2 ** 20, 1); b = null; gc(); console.log('freed');
    const kept = [];
    process.stdin.on('data', () => { kept.push(Buffer.alloc(100 * 2 ** 20, 2)); console.log('kept'); });
    setInterval(() => {}, 1000);`, 'inherit'));
  try {
    await p.waitForLine('stdout', 'the balloon freed', (l) => l === 'freed', 10_000);
    const memory = watchPeakMemory(() => p.programPids())!;
    expect(memory.grownMiB()).toBeLessThan(20);
    p.typeLine('hoard');
    await p.waitForLine('stdout', 'kept', (l) => l === 'kept', 10_000);
    expect(memory.grownMiB()).toBeGreaterThan(90);
  } finally {
    await p.stop();
  }
});

test.runIf(onLinux)('sockets are counted, other fds not; CPU counts a child that ran and exited', async () => {
  const p = run(`
    const fs = require('node:fs');
    for (let i = 0; i < 20; i++) fs.openSync('/dev/null', 'r');
    const s = require('node:net').createServer().listen(0, '127.0.0.1', () => {
      // A child that spins for 300 ms and exits: its CPU time goes to this process's children's.
      require('node:child_process').execFileSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 300);']);
      console.log('ready');
    });
    setInterval(() => {}, 1000);`);
  try {
    await p.waitForLine('stdout', 'ready', (l) => l === 'ready', 10_000);
    // The listener, and stdin, stdout and stderr: Node pipes a child's stdio through socket pairs.
    expect(openSockets(p.programPids())?.size).toBe(4);
    expect(cpuMs(p.programPids())).toBeGreaterThanOrEqual(250);
  } finally {
    await p.stop();
  }
});
