// What the kit remembers about one student's work between commands, in a git-ignored file
// (.classchat/state.json in the kit): which chapters were shown in full, how deep the hints
// go, and the last graded result of each stage, so `make progress --cached` and the watch
// screen answer at once. A missing or damaged file is an empty state, never an error.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kitRoot } from '../stages.ts';

/** The first failing test of a graded stage: what the hint levels are built from. */
export interface Failure {
  name: string;
  hint: string;
  guide: string;
  /** The report's "Expected:" line, if it had one. */
  expected?: string;
}

export interface StageResult {
  earned: number;
  max: number;
  /** Tests not passed, by name: the watch screen and `make hint-N` start from the first. */
  failing: string[];
  firstFailure?: Failure;
  /** When it was graded (ms since the epoch). */
  at: number;
  /** The graded folder (stages/ or a TARGET), so results of different code never mix. */
  target: string;
}

export interface State {
  /** Stage numbers whose chapter `make stage-N` has shown in full. */
  guideShown: number[];
  /** Per stage: the deepest hint level revealed so far, and for which failing test. */
  hints: Record<string, { test: string; level: number }>;
  /** Per stage: its last graded result. */
  results: Record<string, StageResult>;
}

export const emptyState = (): State => ({ guideShown: [], hints: {}, results: {} });

/** The state file; CLASSCHAT_STATE moves it (the kit's tests use a temporary one). */
export const statePath = (): string => process.env.CLASSCHAT_STATE || join(kitRoot(), '.classchat', 'state.json');

export function loadState(path = statePath()): State {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<State>;
    return {
      guideShown: Array.isArray(raw.guideShown) ? raw.guideShown.filter((n) => Number.isInteger(n)) : [],
      hints: raw.hints && typeof raw.hints === 'object' ? raw.hints : {},
      results: raw.results && typeof raw.results === 'object' ? raw.results : {},
    };
  } catch {
    return emptyState();
  }
}

/** Writes the whole state through a temporary file and a rename: a crash never leaves half a file. */
export function saveState(state: State, path = statePath()): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, path);
}

/** Loads, changes and saves the state in one step; returns the new state. */
export function updateState(change: (state: State) => void, path = statePath()): State {
  const state = loadState(path);
  change(state);
  saveState(state, path);
  return state;
}
