// `make gradescope-bundle`: the kit as a Gradescope autograder zip. setup.sh and run_autograder
// sit at the top, as Gradescope wants; the suites and tooling come along, the solutions do not.
import AdmZip from 'adm-zip';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kitRoot } from '../stages.ts';

const INCLUDED = ['kit', 'tests', 'guide', 'package.json', 'package-lock.json', 'tsconfig.json', 'vitest.config.ts', 'Makefile'];

export function writeBundle(out: string): string {
  const root = kitRoot();
  const zip = new AdmZip();
  for (const entry of INCLUDED) {
    const path = join(root, entry);
    if (!existsSync(path)) continue;
    if (entry.includes('.') || entry === 'Makefile') zip.addLocalFile(path);
    // The hostile fixtures and Python stand-ins are the kit's own tests, not the autograder's; the
    // mutation files hold whole correct rewrites of the solutions, which must not ship at all.
    else zip.addLocalFolder(path, entry, (name) => !/node_modules|fixtures|mutants\.ts$/.test(name));
  }
  for (const script of ['setup.sh', 'run_autograder']) {
    zip.addLocalFile(join(root, 'kit', 'grader', 'gradescope', script));
  }
  // Executable bits, so Gradescope can run the two scripts as they are.
  for (const e of zip.getEntries()) if (['setup.sh', 'run_autograder'].includes(e.entryName)) e.attr = (0o100755 << 16) >>> 0;
  mkdirSync(dirname(out), { recursive: true });
  zip.writeZip(out);
  return out;
}
