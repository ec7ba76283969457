// Reads every stage's `tests/0N-slug/mutants.ts` and checks the duties before anything runs: each
// stage has the file and at least two variants, every Common-mistakes bullet of its chapter and
// every numbered protocol rule is covered by a mutant or an unobservable, and no `covers` entry
// names a bullet or rule that does not exist.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guideFile, kitRoot, stageId, type Stage } from '../stages.ts';
import { commonMistakes, protocolRules, shortText, type Duty } from './coverage.ts';
import type { Mutant, Unobservable, Variant } from './types.ts';

export interface StageMutations {
  stage: Stage;
  mutants: Mutant[];
  unobservable: Unobservable[];
  variants: Variant[];
}

export const MIN_VARIANTS = 2;

export const mutantsFile = (stage: Stage): string => join(kitRoot(), 'tests', stageId(stage), 'mutants.ts');

/** Loads a stage's mutation file; a missing or malformed one is a problem, returned as a sentence. */
export async function loadStage(stage: Stage): Promise<StageMutations | string> {
  const file = mutantsFile(stage);
  const rel = `tests/${stageId(stage)}/mutants.ts`;
  if (!existsSync(file)) return `${rel} is missing: every stage needs its mutants and variants`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    return `${rel} does not load: ${(err as Error).message.split('\n')[0]}`;
  }
  const list = <T>(name: string): T[] | undefined => (Array.isArray(mod[name]) ? (mod[name] as T[]) : undefined);
  const mutants = list<Mutant>('mutants');
  const unobservable = list<Unobservable>('unobservable');
  const variants = list<Variant>('variants');
  if (!mutants || !unobservable || !variants) return `${rel} must export the arrays mutants, unobservable and variants`;
  return { stage, mutants, unobservable, variants };
}

/** Problems with one stage's file that need no grading: too few variants, duplicate names, uncovered bullets. */
export function stageProblems(sm: StageMutations, mistakes: readonly Duty[], rules: readonly Duty[]): string[] {
  const problems: string[] = [];
  const where = `tests/${stageId(sm.stage)}/mutants.ts`;
  if (sm.variants.length < MIN_VARIANTS) problems.push(`${where} has ${sm.variants.length} variant(s); every stage needs at least ${MIN_VARIANTS}, written differently`);
  if (sm.mutants.length === 0) problems.push(`${where} has no mutants`);
  const names = [...sm.mutants, ...sm.unobservable, ...sm.variants].map((x) => x.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`${where}: the name "${dup}" is used twice`);
  const known = new Set([...mistakes, ...rules].map((d) => d.id));
  for (const x of [...sm.mutants, ...sm.unobservable]) {
    for (const c of x.covers) if (!known.has(c)) problems.push(`${where}: "${x.name}" covers "${c}", which neither the chapter's Common mistakes nor the protocol's rules have`);
  }
  for (const u of sm.unobservable) if (!u.why?.trim()) problems.push(`${where}: unobservable "${u.name}" does not say why`);
  const covered = new Set([...sm.mutants, ...sm.unobservable].flatMap((x) => x.covers));
  for (const m of mistakes) {
    if (!covered.has(m.id)) problems.push(`guide/${stageId(sm.stage)}.md ${m.id} ("${shortText(m.text)}") has no mutant and is not listed as unobservable`);
  }
  return problems;
}

/** Protocol rules that no stage's mutant or unobservable covers. */
export function uncoveredRules(all: readonly StageMutations[], rules: readonly Duty[]): string[] {
  const covered = new Set(all.flatMap((sm) => [...sm.mutants, ...sm.unobservable].flatMap((x) => x.covers)));
  return rules.filter((r) => !covered.has(r.id)).map((r) => `guide/protocol.md ${r.id} ("${shortText(r.text)}") has no mutant in any stage and is not listed as unobservable`);
}

export const chapterMistakes = (stage: Stage): Duty[] => (existsSync(guideFile(stage)) ? commonMistakes(readFileSync(guideFile(stage), 'utf8')) : []);
export const protocolDuties = (): Duty[] => protocolRules(readFileSync(join(kitRoot(), 'guide', 'protocol.md'), 'utf8'));
