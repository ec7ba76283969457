// `make try-N`: run a stage's code for a person to poke at, before grading it. What runs comes
// from the manifest: a stage with `try` runs kit/try/<stage id>.ts (a small harness around the
// student's functions), a stage with `programs` runs its server (or, with only a client, its
// client against a server you start). `make reset-N`: the starter back.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { chalk } from '../color.ts';
import { commandFor } from '../harness/program-commands.ts';
import { shortPath } from '../harness/target.ts';
import { kitRoot, stageDir, stageId, type Stage } from '../stages.ts';
import { statePath, updateState } from './state.ts';
import { dirname } from 'node:path';

/** The script `make try-N` runs for a stage with a `try` entry. */
export const tryScript = (stage: Stage): string => join(kitRoot(), 'kit', 'try', `${stageId(stage)}.ts`);

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  // Ctrl-C reaches the child too (same terminal); the kit just waits for it to finish.
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return signal === 'SIGINT' ? 0 : code ?? 1;
}

export async function tryStage(stage: Stage, target: string): Promise<number> {
  if (stage.try && existsSync(tryScript(stage))) {
    process.stdout.write(`${chalk.bold(`Trying stage ${stage.number} (${shortPath(stageDir(stage, target))}):`)} ${stage.try}\n\n`);
    return run(process.execPath, ['--import', 'tsx', tryScript(stage)], { TARGET: target });
  }
  if (stage.programs?.includes('server')) {
    const port = process.env.PORT || '12345';
    const { command, args } = commandFor(stageId(stage), 'server', { ...process.env, TARGET: target });
    process.stdout.write(
      `${chalk.bold(`Trying stage ${stage.number}: your server on port ${port}.`)}${stage.try ? ` ${stage.try}` : ''}\n` +
        `In another terminal: ${chalk.bold(`make client PORT=${port}`)} (your client), or nc 127.0.0.1 ${port}. Ctrl-C here stops the server.\n\n`,
    );
    return run(command, [...args, '--port', port, ...(process.env.HOST ? ['--host', process.env.HOST] : [])], { TARGET: target });
  }
  if (stage.programs?.includes('client')) {
    const port = process.env.PORT || '12345';
    const { command, args } = commandFor(stageId(stage), 'client', { ...process.env, TARGET: target });
    process.stdout.write(
      `${chalk.bold(`Trying stage ${stage.number}: your client, connecting to port ${port}.`)}${stage.try ? ` ${stage.try}` : ''}\n` +
        `It needs a server there: start one first in another terminal (${chalk.bold(`make server PORT=${port}`)}). Type lines; Ctrl-D ends.\n\n`,
    );
    return run(command, [...args, '--port', port, ...(process.env.HOST ? ['--host', process.env.HOST] : [])], { TARGET: target });
  }
  process.stdout.write(`Stage ${stage.number} has nothing to run by hand; make stage-${stage.number} grades it.\n`);
  return 0;
}

/** The starter's files as git's HEAD has them (path relative to the kit → content), or undefined. */
export function starterFiles(stage: Stage): Map<string, Buffer> | undefined {
  const root = kitRoot();
  const folder = `stages/${stageId(stage)}/`;
  try {
    const names = execFileSync('git', ['ls-tree', '-r', '--name-only', 'HEAD', folder], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
    if (names.length === 0) return undefined;
    return new Map(names.map((name) => [name, execFileSync('git', ['show', `HEAD:${name}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })]));
  } catch {
    return undefined;
  }
}

async function ask(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Puts the stage's starter back into stages/ after asking, keeping a copy of the student's files. */
export async function resetStage(stage: Stage, target: string, yes: boolean): Promise<number> {
  const folder = stageDir(stage, join(kitRoot(), 'stages'));
  if (target !== join(kitRoot(), 'stages')) {
    process.stderr.write(`reset puts the starter back into ${shortPath(folder)} only; it does not touch TARGET (${shortPath(target)}).\n`);
    return 2;
  }
  const starter = starterFiles(stage);
  if (!starter) {
    process.stderr.write(`No starter to restore: this kit is not a git checkout with ${shortPath(folder)} committed. Get the file from your course's repository.\n`);
    return 1;
  }
  const changed = [...starter].filter(([name, content]) => {
    const path = join(kitRoot(), name);
    return !existsSync(path) || !readFileSync(path).equals(content);
  });
  if (changed.length === 0) {
    process.stdout.write(`${shortPath(folder)} is already the starter as git's HEAD has it: nothing to reset.\n`);
    if (![...starter.values()].some((c) => c.includes(`TODO(stage ${stage.number})`))) {
      process.stdout.write(`(HEAD's copy has no TODO(stage ${stage.number}) markers: if you committed your work, the starter is in an earlier commit: git log -- ${relative(kitRoot(), folder)})\n`);
    }
    return 0;
  }
  const backup = join(dirname(statePath()), 'backups', `${stageId(stage)}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const list = changed.map(([name]) => `  ${name}`).join('\n');
  process.stdout.write(`These files go back to the starter (git HEAD):\n${list}\nYour whole folder is copied to ${shortPath(backup)} first.\n`);
  if (!yes && !(await ask('Reset them? [y/N] '))) {
    process.stdout.write(process.stdin.isTTY ? 'Nothing changed.\n' : 'Nothing changed: without a terminal to ask, run it as YES=1 make reset-N.\n');
    return 1;
  }
  mkdirSync(backup, { recursive: true });
  cpSync(folder, backup, { recursive: true });
  for (const [name, content] of changed) {
    mkdirSync(dirname(join(kitRoot(), name)), { recursive: true });
    writeFileSync(join(kitRoot(), name), content);
  }
  updateState((s) => {
    delete s.results[String(stage.number)];
    delete s.hints[String(stage.number)];
  });
  process.stdout.write(chalk.green(`Stage ${stage.number} is the starter again.`) + ` Your files are in ${shortPath(backup)}.\n`);
  return 0;
}
