// `make demo-N`: plays the stage's demo script (tests/0N-slug/demo.ts) with the student's own
// programs, started as the stage's tests start them (SERVER_CMD / CLIENT_CMD and TARGET work),
// and writes what happened as a terminal screenshot (dist/demo/stage-N.svg) and as plain text
// (dist/demo/stage-N.txt), for the course's "screenshot of a demo of each task".
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandFor } from '../harness/program-commands.ts';
import { Program, START_WITHIN, describeExit } from '../harness/program.ts';
import { shortPath } from '../harness/target.ts';
import { Transcript, type Direction } from '../harness/transcript.ts';
import { kitRoot, stageByNumber, stageId, type Stage } from '../stages.ts';
import type { DemoScript, DemoStep } from './script.ts';
import { terminalSvg, type Line } from './terminal-svg.ts';

const HOST = '127.0.0.1';
const LISTENING = /^ClassChat server listening on [\d.]+:(\d+)$/;
/** A demo waits for lines generously: it records what happens, it does not grade speed. */
const WAIT_MS = 10_000;

export const demoDir = (): string => join(kitRoot(), 'dist', 'demo');
export const demoFile = (stage: Stage): string => join(kitRoot(), 'tests', stageId(stage), 'demo.ts');

/** A transcript that also keeps every line, in the order it happened, for the recording. */
class Recorder extends Transcript {
  readonly lines: Line[] = [];

  override add(direction: Direction, who: string, text: string): void {
    super.add(direction, who, text);
    const m = /^(.*) (stdout|stderr|stdin)$/.exec(who);
    if (!m) return; // the harness's own notes: the demo writes clearer ones
    const kind = m[2] === 'stdin' ? 'typed' : m[2] === 'stderr' ? 'stderr' : 'stdout';
    this.lines.push({ who: m[1], kind, text: text.replace(/\n$/, '') });
  }

  event(who: string, text: string): void {
    this.lines.push({ who, kind: 'event', text });
  }

  caption(text: string): void {
    this.lines.push({ who: '', kind: 'caption', text });
  }
}

class DemoStopped extends Error {}

/** `node --import tsx /kit/stages/06-final/server.ts --port 0` → `node stages/06-final/server.ts --port 0`. */
function shownCommand(command: string, args: string[]): string {
  const words = command === process.execPath ? ['node', ...args.filter((a, i) => !(a === '--import' || args[i - 1] === '--import'))] : [command, ...args];
  return words.map((w) => (w.startsWith('/') ? shortPath(w) : w)).join(' ');
}

async function play(stage: Stage, script: DemoScript, rec: Recorder): Promise<void> {
  const programs = new Map<string, Program>();
  let port: number | undefined;
  const find = (who: string): Program => {
    const p = programs.get(who);
    if (!p) throw new DemoStopped(`the script names "${who}" before starting it`);
    return p;
  };
  try {
    for (const step of script.steps) await playStep(step);
  } finally {
    await Promise.all([...programs.values()].map((p) => p.stop()));
  }

  async function playStep(step: DemoStep): Promise<void> {
    if ('caption' in step) {
      rec.caption(step.caption);
    } else if ('start' in step) {
      const who = step.as ?? step.start;
      if (step.start === 'client' && port === undefined) throw new DemoStopped('the script starts a client before any server');
      const endpoint = step.start === 'server' ? ['--host', HOST, '--port', '0'] : ['--host', HOST, '--port', String(port)];
      const { command, args } = commandFor(step.stage ?? stageId(stage), step.start);
      const all = [...args, ...endpoint, ...(step.args ?? [])];
      rec.event(who, `$ ${shownCommand(command, all)}`);
      const env = { ...process.env };
      delete env.CLASSCHAT_HOST;
      delete env.CLASSCHAT_PORT;
      const program = Program.start(command, all, { who, transcript: rec, env, cwd: kitRoot() });
      programs.set(who, program);
      if (step.start === 'server') {
        const first = await program.waitForLine('stdout', 'its listening line', () => true, START_WITHIN).catch(() => {
          const why = program.hasExited ? 'it exited first' : `nothing within ${START_WITHIN / 1000} s`;
          throw new DemoStopped(`${who} did not print "ClassChat server listening on ${HOST}:<port>" (${why}): finish stage ${stage.number} first (make stage-${stage.number})`);
        });
        const m = LISTENING.exec(first);
        if (!m || Number(m[1]) === 0) throw new DemoStopped(`${who}'s first line is not the listening line with a real port: "${first}"`);
        port = Number(m[1]);
      }
    } else if ('type' in step) {
      find(step.type).typeLine(step.line);
    } else if ('expect' in step) {
      const stream = step.stream ?? 'stdout';
      await find(step.expect)
        .waitForLine(stream, `"${step.text}"`, (l) => l.includes(step.text), WAIT_MS)
        .catch(() => {
          throw new DemoStopped(`${step.expect} did not print "${step.text}" on ${stream}`);
        });
    } else if ('eof' in step) {
      find(step.eof).endInput();
      rec.event(step.eof, '(Ctrl-D: end of input)');
    } else if ('signal' in step) {
      find(step.signal).signal(step.sig);
      rec.event(step.signal, step.sig === 'SIGINT' ? '(Ctrl-C: SIGINT)' : `(${step.sig})`);
    } else {
      const program = find(step.exit);
      const exit = await program.waitForExit('exit', WAIT_MS).catch(() => {
        throw new DemoStopped(`${step.exit} did not exit`);
      });
      rec.event(step.exit, `exited with ${describeExit(exit)}`);
      if (step.code !== undefined && (exit.code !== step.code || exit.signal)) {
        throw new DemoStopped(`${step.exit} exited with ${describeExit(exit)}, not code ${step.code}`);
      }
    }
  }
}

/** The recording as plain text: one line per event, `who │ text`, typed lines marked `>`. */
export function plainTranscript(title: string, lines: Line[]): string {
  const width = Math.max(...lines.map((l) => l.who.length), 6);
  const mark = { stdout: '│', stderr: '!', typed: '>', event: '·' } as const;
  const row = (l: Line): string => (l.kind === 'caption' ? `\n## ${l.text}` : `${l.who.padEnd(width)} ${mark[l.kind]} ${l.text}`);
  return `${title}\n${lines[0]?.kind === 'caption' ? '' : '\n'}${lines.map(row).join('\n')}\n`;
}

export async function runDemo(n: number): Promise<number> {
  const stage = stageByNumber(n);
  const file = demoFile(stage);
  if (!stage.programs?.length || !existsSync(file)) {
    process.stderr.write(`Stage ${n} has no demo: demos play the programs of a stage (tests/<stage>/demo.ts), as stage 6 does.\n`);
    return 2;
  }
  const { demo } = (await import(pathToFileURL(file).href)) as { demo: DemoScript };
  const rec = new Recorder();
  let stopped: string | undefined;
  try {
    await play(stage, demo, rec);
  } catch (err) {
    if (!(err instanceof DemoStopped)) throw err;
    stopped = err.message;
    rec.event('demo', `stopped: ${stopped}`);
  }
  const out = demoDir();
  mkdirSync(out, { recursive: true });
  const svg = join(out, `stage-${n}.svg`);
  const txt = join(out, `stage-${n}.txt`);
  writeFileSync(txt, plainTranscript(demo.title, rec.lines));
  writeFileSync(svg, terminalSvg(demo.title, rec.lines));
  process.stdout.write(plainTranscript(demo.title, rec.lines));
  const where = `${relative(kitRoot(), svg)} and ${basename(txt)}`;
  if (stopped) {
    process.stderr.write(`\nThe demo stopped: ${stopped}.\nWhat happened until then is in ${where}.\n`);
    return 1;
  }
  process.stdout.write(`\nWrote ${where} (open the .svg in a browser, or add it to your report).\n`);
  return 0;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const arg = process.argv[2] ?? '';
  const n = Number(arg);
  const main = async (): Promise<number> => {
    if (!/^\d+$/.test(arg)) throw new Error(`Which stage? make demo-N with a stage number, e.g. make demo-6.`);
    return runDemo(n);
  };
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
