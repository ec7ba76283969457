// The error a graded test throws when an expectation breaks. Its message is the whole teaching
// text: conversation so far, what was expected, what arrived. Hints are added by the reporter
// from the test's metadata, so one hint per test stays in one place.
import { seedNote } from './seed.ts';
import type { Transcript } from './transcript.ts';

export interface FailureParts {
  expected: string;
  got: string;
  transcript?: Transcript;
}

export class ExpectationFailure extends Error {
  constructor(parts: FailureParts) {
    const lines: string[] = [];
    if (parts.transcript) lines.push('Conversation so far:', parts.transcript.format());
    lines.push(`Expected: ${parts.expected}`, `Got:      ${parts.got}`);
    if (seedNote()) lines.push(seedNote());
    super(lines.join('\n'));
    this.name = 'ExpectationFailure';
  }
}

/** Fails the test unless `ok`; `got` is only computed when it fails. */
export function check(ok: boolean, expected: string, got: () => string, transcript?: Transcript): void {
  if (!ok) throw new ExpectationFailure({ expected, got: got(), transcript });
}
