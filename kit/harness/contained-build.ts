// One esbuild bundling of a submission's code, for both callers (the grader's programs, stages
// 1-5's drivers). esbuild reads the student's source on the trusted side, and hostile source can
// make it use gigabytes, write a bundle of hundreds of megabytes or crash it (a Go stack overflow
// takes its shared service down for every later build). So under the grader (a sandbox spec is
// set) each bundling runs in a child process of its own (contained-build-child.ts) that joins the
// submission's cgroups before esbuild starts, may write no file over OUTPUT_LIMIT_BYTES, has a
// time limit that stretches with the load, and whose stderr is kept, not shown. A build that fails
// that way fails like any build that fails. Without a spec (`make stage-N`) it runs in this
// process, on esbuild's shared service, as fast as before.
import { build, type BuildOptions } from 'esbuild';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxSpec, type SandboxSpec } from '../grader/sandbox.ts';
import { kitRoot } from '../stages.ts';
import { kitFilesInPlace, kitTsconfig, submissionOnly } from './bundle.ts';
import { patient } from './patience.ts';
import { shortPath } from './target.ts';

/** No file a contained build writes may be larger (an honest bundle is well under 1 MB). */
export const OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;
/** How long a contained build may take on an idle machine (an honest one takes well under a second). */
export const BUILD_LIMIT_MS = 30_000;
const TOO_LARGE = `ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB`;
const CHILD = fileURLToPath(new URL('./contained-build-child.ts', import.meta.url));
const PRLIMIT = '/usr/bin/prlimit';
/** Of the child's stdout (its one result line) and stderr (esbuild's crash report), only this much is kept. */
const KEPT_BYTES = 64 * 1024;

/** What to bundle; plain data, so that it can be handed to the child process. */
export interface BuildRequest {
  entryPoints: Record<string, string>;
  /** The submission's folder: its code may import only its own files (submissionOnly). */
  submission: string;
  /** One file (a program), or a folder of `.mjs` chunks with source maps (a driver and the student's modules); neither: only checked. */
  outfile?: string;
  outdir?: string;
  /** Bundles the kit's own files too, each keeping its place (the drivers: kitFilesInPlace). */
  kitFiles?: boolean;
  /** The folder esbuild resolves and reports paths from (the caller's working folder). */
  workingDir?: string;
}

/** Undefined when it bundled; else why not, in one line (`path:line:column: ERROR: text`). */
export type BuildError = string | undefined;

/** Bundles `request`: contained when `env` holds a sandbox spec (the grader), in this process otherwise. */
export function bundle(request: BuildRequest, env: NodeJS.ProcessEnv = process.env): Promise<BuildError> {
  const spec = sandboxSpec(env);
  return spec ? bundleContained({ workingDir: process.cwd(), ...request }, spec) : bundleHere(request);
}

/** The build itself, in this process (the child process calls it too). */
export async function bundleHere(request: BuildRequest): Promise<BuildError> {
  const output: BuildOptions = request.outfile
    ? { outfile: request.outfile }
    : request.outdir ? { outdir: request.outdir, splitting: true, outExtension: { '.js': '.mjs' }, sourcemap: 'linked' } : { write: false };
  const plugins = [submissionOnly(request.submission), ...(request.kitFiles ? [kitFilesInPlace(request.submission)] : [])];
  try {
    const result = await build({
      entryPoints: request.entryPoints, ...output, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external',
      logLevel: 'silent', tsconfigRaw: kitTsconfig(), plugins, ...(request.workingDir ? { absWorkingDir: request.workingDir } : {}),
    });
    // A check writes nothing, so the file size cap cannot catch it: the same limit, counted here.
    return result.outputFiles?.some((file) => file.contents.length > OUTPUT_LIMIT_BYTES) ? TOO_LARGE : undefined;
  } catch (err) {
    return firstError(err);
  }
}

/** esbuild's first error as tsx shows it: `path:line:column: ERROR: text`. */
function firstError(err: unknown): string {
  const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
  if (!first) return err instanceof Error ? err.message.split('\n')[0] : String(err);
  const at = first.location ? `${shortPath(resolve(first.location.file))}:${first.location.line}:${first.location.column}: ` : '';
  return `${at}ERROR: ${first.text}`;
}

/**
 * The child's command: a shell that moves itself into the run's cgroups (as root: the trusted
 * side may) and becomes prlimit, which caps the size of any file written and becomes Node. So
 * Node, and the esbuild binary it starts, are in the cgroups from their first instruction.
 */
function childCommand(spec: SandboxSpec, code: string, request: BuildRequest): string[] {
  const enter = spec.cgroups.map((cg, i) => `echo $$ > "$${i + 1}/cgroup.procs" || exit 125`).join('\n');
  return ['-c', `${enter}\nshift ${spec.cgroups.length}\nexec "$@"`, 'contained-build', ...spec.cgroups,
    PRLIMIT, `--fsize=${OUTPUT_LIMIT_BYTES}`, '--', process.execPath, '--input-type=module', '-e', code, '--', JSON.stringify(request)];
}

let childCode: Promise<string> | undefined;
/**
 * The child's program as plain JavaScript, bundled once per process from the kit's own files (no
 * student code): it starts in a fifth of the time `node --import tsx` takes. Run with the kit as
 * its working folder, where it finds esbuild.
 */
const childProgram = (): Promise<string> =>
  (childCode ??= build({
    entryPoints: [CHILD], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', packages: 'external',
    logLevel: 'silent', tsconfigRaw: kitTsconfig(), plugins: [kitFilesInPlace()],
  }).then((result) => result.outputFiles[0].text));

async function bundleContained(request: BuildRequest, spec: SandboxSpec): Promise<BuildError> {
  const child = spawn('/bin/sh', childCommand(spec, await childProgram(), request), { cwd: kitRoot(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = keep(child.stdout);
  const stderr = keep(child.stderr);
  const limit = patient(BUILD_LIMIT_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, limit);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  killGroup(child.pid); // esbuild's service, should it outlive the child
  const error = timedOut ? `bundling it took longer than ${Math.round(limit / 1000)} s` : resultOf(stdout(), stderr(), code, signal);
  if (error !== undefined) removeOutput(request);
  return error;
}

/** The child's answer: its one JSON line, or why there is none (the size cap, a crash). */
function resultOf(stdout: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): BuildError {
  let answer: { error?: unknown } | undefined;
  try {
    answer = code === 0 ? (JSON.parse(stdout) as { error?: unknown }) : undefined;
  } catch {
    // no answer
  }
  if (answer && typeof answer.error !== 'string') return undefined;
  const error = typeof answer?.error === 'string' ? answer.error : `the bundler stopped (${signal ?? `exit code ${code}`})`;
  if (signal === 'SIGXFSZ' || /: file too large$/.test(error)) return TOO_LARGE;
  if (answer && !/service (was stopped|is no longer running)/.test(error)) return error; // the code's own fault, as esbuild says it
  // esbuild died (a crash, or killed at the memory limit): what it said, if anything, not its stack.
  const said = stderr.split('\n').find((line) => /^(fatal error|runtime:|panic)/.test(line));
  return `ERROR: the bundler crashed or ran out of memory on it${said ? ` (${said.trim()})` : ''}`;
}

/** Collects a stream, keeping its first KEPT_BYTES. */
function keep(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size < KEPT_BYTES) chunks.push(chunk.subarray(0, KEPT_BYTES - size));
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** A failed build leaves nothing behind (a bundle cut off at the size cap, say); its folder stays. */
function removeOutput({ outfile, outdir }: BuildRequest): void {
  if (outfile) rmSync(outfile, { force: true });
  if (outdir) for (const name of readdirSync(outdir)) rmSync(resolve(outdir, name), { recursive: true, force: true });
}
