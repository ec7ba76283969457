// The kit's command line: `node --import tsx kit/cli.ts <command>`. The Makefile calls it.
import { parseArgs } from 'node:util';
import { chalk } from './color.ts';
import { renderFile } from './guide/render.ts';
import { targetDir } from './harness/target.ts';
import { progress } from './progress.ts';
import { selfCheck } from './selfcheck.ts';
import { autograde } from './grader/autograde.ts';
import { writeBundle } from './grader/bundle.ts';
import { grade } from './grader/command.ts';
import { guideFile, kitRoot, parseStageList, stageByNumber, STAGES } from './stages.ts';
import { aborted, stopRunsOnSignals } from './run/abort.ts';
import { walkStage } from './walkthrough.ts';
import { join } from 'node:path';

const USAGE = `ClassChat Lab

Usage: node --import tsx kit/cli.ts <command> [options]
       (or the make targets: make help)

Commands:
  stage <N> [--no-guide] [--target DIR]   show chapter N, grade stage N (exit 0 = full points)
  guide <N|protocol|testing>              show a chapter of the guide
  progress [--target DIR]                 grade every stage and print a table
  check                                   the kit's self-check (solutions pass, starters fail)
  grade <DIR> [--out DIR] [--stages 1-3] [--jobs N] [--time-limit S]
                                          grade every submission in DIR (an instructor's run)
  autograde <SUBMISSION> <RESULTS.json>   grade one submission, write Gradescope's results.json
  gradescope-bundle [--out FILE]          write the Gradescope autograder zip

Options:
  --target DIR   grade DIR (laid out like stages/) instead of stages/; TARGET=DIR works too
  --no-guide     skip the chapter (GUIDE=0 works too)
  --out DIR      where grade writes its files (default grades/)
  --stages LIST  stages to grade: 3, 1-3, 1,4-6 or all (default all)
  --jobs N       submissions graded at once (default: the number of cores)
  --time-limit S seconds one submission may take in all (default 180)
  -h, --help     show this help

Exit codes: 0 success, 1 tests failed, 2 bad usage.
`;

class UsageError extends Error {}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, not "${value}".`);
  return n;
}

function stageArg(value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n)) throw new UsageError(`Which stage? Give a number: ${STAGES.map((s) => s.number).join(', ')}.`);
  try {
    return stageByNumber(n).number;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      target: { type: 'string' },
      'no-guide': { type: 'boolean' },
      out: { type: 'string' },
      stages: { type: 'string' },
      jobs: { type: 'string' },
      'time-limit': { type: 'string' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const target = values.target ? targetDir({ TARGET: values.target }) : targetDir();
  switch (command) {
    case 'stage': {
      const showGuide = !values['no-guide'] && process.env.GUIDE !== '0';
      return walkStage({ stage: stageByNumber(stageArg(arg)), target, showGuide });
    }
    case 'guide': {
      const file = arg === 'protocol' || arg === 'testing' ? join(kitRoot(), 'guide', `${arg}.md`) : guideFile(stageByNumber(stageArg(arg)));
      process.stdout.write(renderFile(file));
      return 0;
    }
    case 'progress':
      return progress(target);
    case 'check':
      return selfCheck();
    case 'grade': {
      if (!arg) throw new UsageError('Which folder? grade <DIR> (each entry of DIR is one submission).');
      return grade({
        submissions: arg,
        out: values.out ?? 'grades',
        stages: parseStageList(values.stages),
        jobs: values.jobs === undefined ? undefined : positive('--jobs', values.jobs),
        limitMs: values['time-limit'] === undefined ? undefined : positive('--time-limit', values['time-limit']) * 1000,
      });
    }
    case 'autograde': {
      const results = positionals[2];
      if (!arg || !results) throw new UsageError('autograde <SUBMISSION> <RESULTS.json>');
      return autograde(arg, results);
    }
    case 'gradescope-bundle': {
      const out = writeBundle(values.out ?? join(kitRoot(), 'dist', 'gradescope-autograder.zip'));
      process.stdout.write(`Wrote ${out}. Upload it as the autograder of a Gradescope programming assignment.\n`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Run with --help for the list.`);
  }
}

stopRunsOnSignals();
main(process.argv.slice(2)).then(
  (code) => {
    // After Ctrl-C the exit code says so (130), whatever the interrupted command returned.
    process.exitCode = aborted() ? process.exitCode : code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as NodeJS.ErrnoException)?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${chalk.red('Error:')} ${(err as Error).message}\n`);
    if (usage) process.stderr.write('Run with --help for usage.\n');
    process.exitCode = usage ? 2 : 1;
  },
);
