// Per-check teaching: a test checks several rules, and a failure should point at the one that
// broke. `rule()` tags whatever a step throws with that rule's hint and guide section; the
// reporter prefers them to the test's own (the innermost rule wins).
export interface Teach {
  /** One sentence that points the student at the likely cause. */
  hint: string;
  /** The guide section of the rule, e.g. `guide/04-loop.md § The line decoder`. */
  guide: string;
}

/** The property a tagged error carries; vitest copies it with the error to the reporter. */
export const TEACH_KEY = 'teach';

export async function rule<T>(teach: Teach, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof Error && !(TEACH_KEY in err)) Object.assign(err, { [TEACH_KEY]: { ...teach } });
    throw err;
  }
}

/** The rule a serialized error was tagged with, if any. */
export function teachOf(err: unknown): Teach | undefined {
  const teach = (err as { [TEACH_KEY]?: Partial<Teach> } | undefined)?.[TEACH_KEY];
  return typeof teach?.hint === 'string' && typeof teach.guide === 'string' ? { hint: teach.hint, guide: teach.guide } : undefined;
}
