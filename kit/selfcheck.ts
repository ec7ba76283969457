// `make test`'s proof of the kit: every reference solution gets full points, every shipped
// starter gets less, the manifest agrees with the suites, and every chapter renders with every
// section a test points at.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chalk } from './color.ts';
import { headingsOf, renderMarkdown } from './guide/render.ts';
import { showPoints } from './report/format.ts';
import { runSuites, type StageScore } from './run/suites.ts';
import { shippedStarters } from './starters.ts';
import { guideFile, kitRoot, STAGES, stageDir, stageId, testFile } from './stages.ts';

interface Check {
  name: string;
  problems: string[];
}

const ok = (c: Check): boolean => c.problems.length === 0;

function checkLayout(): Check {
  const problems: string[] = [];
  for (const s of STAGES) {
    for (const base of ['stages', 'solutions']) {
      for (const f of s.files) {
        const path = join(stageDir(s, join(kitRoot(), base)), f);
        if (!existsSync(path)) problems.push(`missing ${base}/${stageId(s)}/${f}`);
      }
    }
    if (!existsSync(testFile(s))) problems.push(`missing tests/${stageId(s)}.test.ts`);
    if (!existsSync(guideFile(s))) problems.push(`missing guide/${stageId(s)}.md`);
  }
  return { name: 'every stage has its starter, solution, suite and chapter', problems };
}

// The README's stage table is written by hand; it must not drift from the manifest.
function checkReadme(): Check {
  const readme = readFileSync(join(kitRoot(), 'README.md'), 'utf8');
  const problems = STAGES.filter((s) => !readme.includes(`| ${s.number} | ${s.title} | ${s.points} |`)).map(
    (s) => `README.md has no row "| ${s.number} | ${s.title} | ${s.points} |" in its stage table`,
  );
  return { name: "the README's stage table matches the manifest", problems };
}

function checkSolutions(scores: StageScore[]): Check {
  const problems: string[] = [];
  for (const sc of scores) {
    if (sc.max !== sc.stage.points) problems.push(`stage ${sc.stage.number}: the suite's tests add up to ${showPoints(sc.max)} points, the manifest says ${sc.stage.points}`);
    for (const t of sc.tests.filter((t) => t.status !== 'passed')) {
      problems.push(`solution of stage ${sc.stage.number} fails "${t.name}": ${t.message.split('\n').slice(-3).join(' / ')}`);
    }
  }
  return { name: 'every reference solution gets full points', problems };
}

function checkStarters(scores: StageScore[]): Check {
  const problems = scores.filter((sc) => sc.earned >= sc.max).map((sc) => `the starter of stage ${sc.stage.number} gets full points: its tests pass without the student's work`);
  return { name: 'every shipped starter scores below full points', problems };
}

function checkGuide(scores: StageScore[]): Check {
  const problems: string[] = [];
  const chapters = [...STAGES.map(guideFile), join(kitRoot(), 'guide', 'protocol.md'), join(kitRoot(), 'guide', 'testing.md')];
  for (const file of chapters) {
    if (!existsSync(file)) continue; // reported by the layout check
    const md = readFileSync(file, 'utf8');
    try {
      const text = renderMarkdown(md, 80);
      if (text.trim().length < 200) problems.push(`${file} renders to almost nothing`);
    } catch (err) {
      problems.push(`${file} does not render: ${(err as Error).message}`);
    }
  }
  // Every section a test points at, its own or a check's (rule()), failing or not, must exist.
  const headings = new Map<string, Set<string>>();
  for (const t of scores.flatMap((sc) => sc.tests)) {
    const m = /^(guide\/[\w.-]+\.md) § (.+)$/.exec(t.guide);
    if (!m) continue;
    const [, rel, section] = m;
    const path = join(kitRoot(), rel);
    if (!headings.has(rel)) headings.set(rel, new Set(existsSync(path) ? headingsOf(readFileSync(path, 'utf8')) : []));
    if (!headings.get(rel)?.has(section)) problems.push(`"${t.name}" points at ${rel} § ${section}, which does not exist`);
  }
  return { name: 'every chapter renders and has the sections the tests point at', problems };
}

function printCheck(c: Check): void {
  process.stdout.write(`${ok(c) ? chalk.green('✓') : chalk.red('✗')} ${c.name}\n`);
  for (const p of c.problems) process.stdout.write(`    ${p}\n`);
}

export async function selfCheck(): Promise<number> {
  const started = Date.now();
  const starters = shippedStarters();
  try {
    const [solutions, shipped] = await Promise.all([
      runSuites({ stages: STAGES, target: join(kitRoot(), 'solutions'), workers: 1 }),
      runSuites({ stages: STAGES, target: starters.dir, workers: 1 }),
    ]);
    const checks = [checkLayout(), checkReadme(), checkSolutions(solutions.scores), checkStarters(shipped.scores), checkGuide([...solutions.scores, ...shipped.scores])];
    process.stdout.write(`Self-check of the kit (${STAGES.length} stages; starters from ${starters.source})\n`);
    for (const c of checks) printCheck(c);
    const table = solutions.scores.map((sc, i) => `  ${stageId(sc.stage).padEnd(Math.max(...STAGES.map((s) => stageId(s).length)) + 1)} solution ${`${showPoints(sc.earned)}/${showPoints(sc.max)}`.padEnd(7)} starter ${showPoints(shipped.scores[i].earned)}/${showPoints(shipped.scores[i].max)}`);
    process.stdout.write(`${table.join('\n')}\n`);
    const passed = checks.filter(ok).length;
    process.stdout.write(`self-check: ${passed} passed, ${checks.length - passed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return passed === checks.length ? 0 : 1;
  } finally {
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
  }
}
