// `make test-under-load`: the kit's grades must not depend on how busy the machine is. Four
// CPU-bound processes run beside the check (on 2 cores that leaves each test a third of a core);
// the reference solutions are graded ROUNDS times in a row and must score full points every
// time, then `make test` runs whole (hostile fixtures with exact scores included).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { killGroup } from '../harness/program.ts';
import { showPoints } from '../report/format.ts';
import { kitRoot, parseStageList, stageId } from '../stages.ts';
import { aborted, onAbort, stopRunsOnSignals } from './abort.ts';
import { runSuites } from './suites.ts';

const { values } = parseArgs({
  options: {
    hogs: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '20' },
    stages: { type: 'string' },
    'skip-make-test': { type: 'boolean', default: false },
  },
});

/** A process that spins one CPU until it is killed (its own group, so nothing outlives us). */
const startHog = (): ChildProcess =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });

async function main(): Promise<number> {
  stopRunsOnSignals();
  const hogs = Array.from({ length: Number(values.hogs) }, startHog);
  const stopHogs = (): void => hogs.forEach((h) => killGroup(h.pid, 'SIGKILL'));
  const unregister = onAbort(stopHogs);
  process.once('exit', stopHogs);
  let failedRounds = 0;
  try {
    const rounds = Number(values.rounds);
    const stages = parseStageList(values.stages);
    process.stdout.write(`Under load: ${hogs.length} CPU hogs beside the checks; ${rounds} rounds of the solutions of stages ${stages.map((s) => s.number).join(',')}.\n`);
    for (let round = 1; round <= rounds && !aborted(); round++) {
      const started = Date.now();
      const { scores } = await runSuites({ stages, target: join(kitRoot(), 'solutions'), workers: 1 });
      const lost = scores.filter((sc) => sc.earned < sc.max);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0];
      if (lost.length > 0) failedRounds++;
      process.stdout.write(`  round ${String(round).padStart(2)}: ${lost.length === 0 ? 'full points' : 'LOST POINTS'} in ${secs} s (load ${load})\n`);
      for (const sc of lost) {
        for (const t of sc.tests.filter((t) => t.status !== 'passed')) {
          process.stdout.write(`    ${stageId(sc.stage)} ${showPoints(t.earned)}/${showPoints(t.points)} ${t.name}: ${t.message.split('\n').slice(-2).join(' / ')}\n`);
        }
      }
    }
    let makeTest = 0;
    if (!values['skip-make-test'] && !aborted()) {
      process.stdout.write('make test, under the same load:\n');
      makeTest = spawnSync('make', ['test'], { cwd: kitRoot(), stdio: 'inherit' }).status ?? 1;
    }
    const passed = Number(values.rounds) - failedRounds + (values['skip-make-test'] ? 0 : makeTest === 0 ? 1 : 0);
    const failed = failedRounds + (values['skip-make-test'] ? 0 : makeTest === 0 ? 0 : 1);
    process.stdout.write(`under load: ${passed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    unregister();
    stopHogs();
  }
}

main().then((code) => {
  process.exitCode = aborted() ? process.exitCode : code;
});
