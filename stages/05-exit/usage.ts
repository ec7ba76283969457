// Stage 5, part 3 (given, nothing to write): what the programs say about a bad command line, and
// the exit codes they end with. Stage 6 reads the command line and uses these. Read guide/05-exit.md.

/** A command line the program cannot run with; the program prints its message and exits with 2. */
export class UsageError extends Error {
  name = 'UsageError';
}

/** How to call `program`: one line, as a person reads it. */
export function usage(program: string): string {
  return `Usage: ${program} [--host <IPv4 address>] [--port <0-65535>] [--help]`;
}

/** Every way a client run can end, and its exit code: 0 success, 1 failure, 2 bad usage. */
export const EXIT_CODES = { goodbye: 0, lost: 1, unreachable: 1, busy: 1, usage: 2 } as const;
export type ProgramEnd = keyof typeof EXIT_CODES;
