// The records a graded run sends, one JSON object per line, so a run that is killed half-way
// still leaves every finished test behind. The vitest reporter writes them to the file descriptor
// named by CLASSCHAT_RESULTS_FD (a pipe to the runner); the runner reads them.

export const RESULTS_FD_VAR = 'CLASSCHAT_RESULTS_FD';

export interface DeclaredRecord {
  type: 'declared';
  file: string;
  name: string;
  points: number;
  hint: string;
  guide: string;
}

export interface ResultRecord {
  type: 'result';
  file: string;
  name: string;
  passed: boolean;
  message: string;
  durationMs: number;
  /** The hint and guide section of the check that broke, when it names its own (rule()). */
  hint?: string;
  guide?: string;
}

/** A test file that could not even be collected (its imports failed). */
export interface FileErrorRecord {
  type: 'file-error';
  file: string;
  message: string;
}

/**
 * A test file that has finished: from here on every test it declared has its result, except those
 * vitest itself did not run (`notRun`: skipped when a run stops at its first failure).
 */
export interface FileEndRecord {
  type: 'file-end';
  file: string;
  notRun: string[];
}

export type RunRecord = DeclaredRecord | ResultRecord | FileErrorRecord | FileEndRecord;

/** Parses one record line; anything else (a torn line from a kill mid-write) is undefined. */
export function parseRecord(line: string): RunRecord | undefined {
  if (!line.trim()) return undefined;
  try {
    const record = JSON.parse(line) as RunRecord;
    return ['declared', 'result', 'file-error', 'file-end'].includes(record?.type) ? record : undefined;
  } catch {
    return undefined;
  }
}
