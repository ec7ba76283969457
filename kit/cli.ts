// The kit's command line: `node --import tsx kit/cli.ts <command>`. The Makefile calls it.
// Each command's modules are imported when it runs: `make stage-N` runs after every save, and the
// markdown renderer and the grader's modules cost it over half a second it has no use for.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { chalk } from './color.ts';
import { targetDir } from './harness/target.ts';
import { guideFile, kitRoot, parseStageList, stageByNumber, STAGES } from './stages.ts';
import { aborted, stopRunsOnSignals } from './run/abort.ts';

const USAGE = `ClassChat Lab

Usage: node --import tsx kit/cli.ts <command> [options]
       (or the make targets: make help)

Commands:
  stage <N> [--no-guide] [--watch]        show chapter N, grade stage N (exit 0 = full points)
  guide <N|protocol|testing>              show a chapter of the guide (in a pager on a terminal)
  progress [--cached]                     grade every stage, a row as each finishes
  watch [N]                               grade a stage on every save (default: the first not passed)
  hint <N>                                the next hint level for stage N's first failing test
  solution <N> [--force]                  the reference solution as a diff (once stage N passes)
  try <N>                                 run stage N's code to poke at by hand
  reset <N> [--yes]                       put stage N's starter back (your files are backed up)
  check                                   the kit's self-check (solutions pass, starters fail)
  grade <DIR> [--out DIR] [--stages 1-3] [--jobs N] [--time-limit S] [--unsandboxed]
                                          grade every submission in DIR (an instructor's run)
  autograde <SUBMISSION> <RESULTS.json>   grade one submission, write Gradescope's results.json
  gradescope-bundle [--out FILE]          write the Gradescope autograder zip

Options:
  --target DIR   grade DIR (laid out like stages/) instead of stages/; TARGET=DIR works too
  --no-guide     skip the chapter (GUIDE=0 works too; GUIDE=1 shows all of it)
  --watch        stay and grade again on every save (WATCH=1 works too)
  --cached       the last results, without grading (CACHED=1 works too)
  --force        show the solution even before the stage passes (FORCE=1 works too)
  --yes          do not ask before resetting
  --out DIR      where grade writes its files (default grades/)
  --stages LIST  stages to grade: 3, 1-3, 1,4-6 or all (default all)
  --jobs N       submissions graded at once (default: the number of cores)
  --time-limit S seconds one submission may take in all (default 180)
  --unsandboxed  grade even where the sandbox cannot be had (grades marked not tamper-proof)
  -h, --help     show this help

Exit codes: 0 success, 1 tests failed, 2 bad usage.
`;

class UsageError extends Error {}

/** WATCH=1, FORCE=1, CACHED=1: a variable set to anything but "" or "0". */
const flagEnv = (name: string): boolean => !!process.env[name] && process.env[name] !== '0';

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, not "${value}".`);
  return n;
}

function stageArg(value: string | undefined): number {
  const n = Number(value);
  if (!value || !/^\d+$/.test(value.trim()) || !Number.isInteger(n)) throw new UsageError(`Which stage? Give a number: ${STAGES.map((s) => s.number).join(', ')}.`);
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
      watch: { type: 'boolean' },
      cached: { type: 'boolean' },
      force: { type: 'boolean' },
      yes: { type: 'boolean' },
      out: { type: 'string' },
      stages: { type: 'string' },
      jobs: { type: 'string' },
      'time-limit': { type: 'string' },
      unsandboxed: { type: 'boolean' },
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
      const stage = stageByNumber(stageArg(arg));
      const guide = values['no-guide'] || process.env.GUIDE === '0' ? 'none' : process.env.GUIDE === '1' ? 'full' : 'auto';
      if (values.watch || flagEnv('WATCH')) return (await import('./student/watch.ts')).watch({ stage, target, guide });
      return (await import('./walkthrough.ts')).walkStage({ stage, target, guide });
    }
    case 'guide': {
      const file = arg === 'protocol' || arg === 'testing' ? join(kitRoot(), 'guide', `${arg}.md`) : guideFile(stageByNumber(stageArg(arg)));
      const [{ page }, { renderFile }] = await Promise.all([import('./guide/pager.ts'), import('./guide/render.ts')]);
      page(renderFile(file));
      return 0;
    }
    case 'progress': {
      const { cachedProgress, progress } = await import('./progress.ts');
      return values.cached || flagEnv('CACHED') ? cachedProgress(target) : progress(target);
    }
    case 'watch':
      return (await import('./student/watch.ts')).watch({ stage: arg === undefined ? undefined : stageByNumber(stageArg(arg)), target, guide: 'none' });
    case 'hint':
      return (await import('./student/hints.ts')).showNextHint(stageByNumber(stageArg(arg)), target);
    case 'solution':
      return (await import('./student/hints.ts')).showSolution(stageByNumber(stageArg(arg)), target, !!values.force || flagEnv('FORCE'));
    case 'try':
      return (await import('./student/try.ts')).tryStage(stageByNumber(stageArg(arg)), target);
    case 'reset':
      return (await import('./student/try.ts')).resetStage(stageByNumber(stageArg(arg)), target, !!values.yes || flagEnv('YES'));
    case 'check':
      return (await import('./selfcheck.ts')).selfCheck();
    case 'make-help':
      process.stdout.write((await import('./make-help.ts')).makeHelp(positionals.slice(1)));
      return 0;
    case 'grade': {
      if (!arg) throw new UsageError('Which folder? grade <DIR> (each entry of DIR is one submission).');
      return (await import('./grader/command.ts')).grade({
        submissions: arg,
        out: values.out ?? 'grades',
        stages: parseStageList(values.stages),
        jobs: values.jobs === undefined ? undefined : positive('--jobs', values.jobs),
        limitMs: values['time-limit'] === undefined ? undefined : positive('--time-limit', values['time-limit']) * 1000,
        unsandboxed: values.unsandboxed === true || process.env.UNSANDBOXED === '1',
      });
    }
    case 'autograde': {
      const results = positionals[2];
      if (!arg || !results) throw new UsageError('autograde <SUBMISSION> <RESULTS.json>');
      return (await import('./grader/autograde.ts')).autograde(arg, results);
    }
    case 'gradescope-bundle': {
      const out = (await import('./grader/bundle.ts')).writeBundle(values.out ?? join(kitRoot(), 'dist', 'gradescope-autograder.zip'));
      process.stdout.write(`Wrote ${out}. Upload it as the autograder of a Gradescope programming assignment.\n`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
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
    // One line. Through make, flags cannot be passed: point at `make help` instead of --help.
    const more = usage ? (process.env.CLASSCHAT_VIA_MAKE ? ' (make help lists the commands)' : ' (--help lists the commands)') : '';
    process.stderr.write(`${chalk.red('Error:')} ${(err as Error).message}${more}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
