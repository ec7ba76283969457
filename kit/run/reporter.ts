// A vitest reporter that writes one JSON line per declared test and per result to the runner's
// pipe (the file descriptor in CLASSCHAT_RESULTS_FD). Writing synchronously means every finished
// test reaches the runner even if the run is killed right after.
import { writeSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { teachOf } from '../harness/rule.ts';
import { RESULTS_FD_VAR, type RunRecord } from './results.ts';

const fd = Number(process.env[RESULTS_FD_VAR]);

function write(record: RunRecord): void {
  if (!Number.isInteger(fd) || fd < 3) return;
  const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
  for (let sent = 0; sent < bytes.length; ) {
    try {
      sent += writeSync(fd, bytes, sent);
    } catch (err) {
      // A full pipe on a non-blocking descriptor: the runner reads it; try again.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

const fileOf = (module: TestModule): string => relative(process.cwd(), module.moduleId);

// The first line of the error a student needs; vitest's stack frames point into the kit, not at them.
function messageOf(test: TestCase): string {
  const errors = test.result().errors ?? [];
  const first = errors[0];
  if (!first) return '';
  const message = first.message ?? String(first);
  if (/timed out in \d+ms/i.test(message)) {
    return 'The test did not finish in time: your code never answered and never failed (is it awaiting something that never happens?).';
  }
  return first.name && !['Error', 'ExpectationFailure', 'AssertionError'].includes(first.name) ? `${first.name}: ${message}` : message;
}

export default class ResultsReporter implements Reporter {
  onTestModuleCollected(module: TestModule): void {
    for (const test of module.children.allTests()) {
      const meta = test.meta();
      write({ type: 'declared', file: fileOf(module), name: test.name, points: meta.points ?? 0, hint: meta.hint ?? '', guide: meta.guide ?? '' });
    }
  }

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state;
    if (state === 'skipped' || state === 'pending') return;
    const teach = state === 'passed' ? undefined : teachOf(test.result().errors?.[0]);
    write({
      type: 'result',
      file: fileOf(test.module),
      name: test.name,
      passed: state === 'passed',
      message: state === 'passed' ? '' : messageOf(test),
      durationMs: Math.round(test.diagnostic()?.duration ?? 0),
      ...teach,
    });
  }

  onTestModuleEnd(module: TestModule): void {
    const errors = module.errors();
    if (errors.length > 0) write({ type: 'file-error', file: fileOf(module), message: errors.map((e) => e.message).join('\n') });
    const notRun = [...module.children.allTests()].filter((t) => ['skipped', 'pending'].includes(t.result().state)).map((t) => t.name);
    write({ type: 'file-end', file: fileOf(module), notRun });
  }
}
