// The records a graded run writes, one JSON object per line, so a run that is killed half-way
// still leaves every finished test behind. The vitest reporter writes them; the runner reads them.

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
}

/** A test file that could not even be collected (its imports failed). */
export interface FileErrorRecord {
  type: 'file-error';
  file: string;
  message: string;
}

export type RunRecord = DeclaredRecord | ResultRecord | FileErrorRecord;

/** Parses the lines of a results file; a torn last line (the run was killed) is skipped. */
export function parseRecords(text: string): RunRecord[] {
  const records: RunRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as RunRecord);
    } catch {
      // Only the last line can be torn, by a kill mid-write.
    }
  }
  return records;
}
