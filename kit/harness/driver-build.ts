// Stages 1-5's drivers start from plain JavaScript: the driver and the student's modules are
// bundled by esbuild (what tsx itself transforms with) just before the driver starts, because
// `node driver.mjs` starts in a fraction of the time `node --import tsx driver.ts` takes, and a
// student runs `make stage-N` after every save. The student's modules stay entries of their own
// (loaded by the driver when a test first needs them, as before); code they share sits in one chunk,
// so a module is still loaded once. The bundle holds the kit's code the driver needs, so the
// grader's sandbox does not have to show the kit at all.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle as bundleOnce } from './contained-build.ts';
import { MODULES_VAR, targetDir, type BundledModule } from './target.ts';
import { kitRoot, STAGES, stageId } from '../stages.ts';

/** Where the bundles go: the grader names a folder its sandboxes can read; else the kit's own. */
export const BUILD_DIR_VAR = 'CLASSCHAT_BUILD_DIR';
const PREFIX = 'driver-';

export interface BuiltDriver {
  /** What to run instead of `node --import tsx <driver.ts>`, and the variables it needs. */
  args: string[];
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/**
 * Bundles `driverFile` with the files stage `stageFolder` names in the manifest. A student file that
 * cannot be bundled (a syntax error, an import from outside the submission) is left out, and the
 * driver reports esbuild's message for it when a test loads it; a missing one is reported as
 * missing. Undefined when even the driver alone cannot be bundled.
 */
export async function buildDriver(driverFile: string, stageFolder: string, env: NodeJS.ProcessEnv = process.env): Promise<BuiltDriver | undefined> {
  const stage = STAGES.find((s) => stageId(s) === stageFolder);
  if (!stage) return undefined;
  const target = targetDir(env);
  const files = stage.files.map((f) => join(target, stageFolder, f)).filter((path) => existsSync(path));
  // Without outdir it only checks that the entries bundle: nothing is written.
  const bundle = (entryPoints: Record<string, string>, outdir?: string): Promise<string | undefined> =>
    bundleOnce({ entryPoints, outdir, submission: target, kitFiles: true }, env);
  const root = env[BUILD_DIR_VAR] || join(kitRoot(), '.classchat', 'build');
  mkdirSync(root, { recursive: true });
  removeDeadBuilds(root);
  const outdir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  // The grader's sandboxed driver runs as another user: it must be able to read the bundle.
  chmodSync(outdir, 0o755);
  const remove = (): void => rmSync(outdir, { recursive: true, force: true });
  const entry = (path: string): string => `student-${files.indexOf(path)}`;
  const broken = new Map<string, string>();
  if ((await bundle({ driver: driverFile, ...Object.fromEntries(files.map((path) => [entry(path), path])) }, outdir)) !== undefined) {
    // Which files fail on their own (a file fails too when one it imports does, as under tsx).
    for (const path of files) {
      const error = await bundle({ [entry(path)]: path });
      if (error !== undefined) broken.set(path, error);
    }
    const good = files.filter((path) => !broken.has(path));
    if ((await bundle({ driver: driverFile, ...Object.fromEntries(good.map((path) => [entry(path), path])) }, outdir)) !== undefined) {
      remove();
      return undefined;
    }
  }
  const modules: Record<string, BundledModule> = {};
  for (const path of files) modules[path] = broken.has(path) ? { error: broken.get(path)! } : { file: join(outdir, `${entry(path)}.mjs`) };
  return {
    args: ['--enable-source-maps', join(outdir, 'driver.mjs')],
    env: { [MODULES_VAR]: JSON.stringify(modules) },
    remove,
  };
}

/** Bundles of a process that is gone (killed before it could remove them). */
function removeDeadBuilds(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
