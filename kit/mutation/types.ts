// The format of a stage's mutation file, `tests/0N-slug/mutants.ts`: realistic mistakes that must
// lose points, mistakes no wire check can see (with the reason), and correct rewrites that must
// keep every point. `make mutation` reads these for every stage of the manifest.

/** One change to a file of the stage's reference solution (path relative to the stage folder). */
export type Edit =
  | { file: string; find: string; replace: string }   // `find` must occur exactly once
  | { file: string; content: string };               // the whole file replaced
export interface Mutant {
  name: string;        // short id: 'trims-before-quoting'
  mistake: string;     // what the student did, one sentence
  covers: string[];    // 'mistake 5' = bullet 5 of the stage chapter's "## Common mistakes";
                       // 'server rule 2' = item 2 under "## The server, rule by rule" of
                       // guide/protocol.md (key = heading minus "The " and ", rule by rule", lower case)
  edits: Edit[];
}
export interface Unobservable { name: string; mistake: string; covers: string[]; why: string }
export interface Variant { name: string; how: string; edits: Edit[] }   // a correct rewrite
