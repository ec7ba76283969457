// A vitest reporter that appends one JSON line per declared test and per result to the file
// named by CLASSCHAT_RESULTS. Appending synchronously means every finished test survives a kill.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { RunRecord } from './results.ts';

const out = process.env.CLASSCHAT_RESULTS;

function write(record: RunRecord): void {
  if (out) appendFileSync(out, `${JSON.stringify(record)}\n`);
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
    write({
      type: 'result',
      file: fileOf(test.module),
      name: test.name,
      passed: state === 'passed',
      message: state === 'passed' ? '' : messageOf(test),
      durationMs: Math.round(test.diagnostic()?.duration ?? 0),
    });
  }

  onTestModuleEnd(module: TestModule): void {
    const errors = module.errors();
    if (errors.length > 0) write({ type: 'file-error', file: fileOf(module), message: errors.map((e) => e.message).join('\n') });
  }
}
