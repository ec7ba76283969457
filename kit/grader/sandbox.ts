// The sandbox every process of a submission runs in when the grader grades a class (Linux, as
// root): bubblewrap gives it its own pid, mount, ipc and uts namespaces, a read-only view of only
// its own code, Node and node_modules, a private size-capped /tmp and a fresh /proc; it starts as
// an unprivileged uid with no capabilities; cgroup v1 limits its memory and process count,
// and gives all its processes together the CPU weight of one process (a submission that spins a
// hundred threads weighs no more than one when the machine is busy; an idle core is anyone's).
// The submission's network namespace (loopback only) is made once per run by `unshare -n` around
// the trusted test runner and shared by every sandbox of that run, so the tests still reach the
// student's servers and nothing else is reachable. Nothing of it outlives its run: bwrap dies with
// its parent and takes its pid namespace along, and whatever is left in the cgroups is killed.
//
// The grader turns it on through CLASSCHAT_SANDBOX (a JSON SandboxSpec); without that variable
// (`make stage-N` on a student's machine) every function here is a no-op.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SANDBOX_VAR = 'CLASSCHAT_SANDBOX';
/** nobody: owns no file of the kit, the grader or the other students. */
export const SANDBOX_UID = 65534;
/** Limits of one submission (all its sandboxes together). */
export const MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024;
export const PROCESS_LIMIT = 256;
/**
 * The CPU weight of all of one submission's processes together: that of one process (cpu.shares).
 * A weight, not a quota: a quota of one core (cfs_quota_us) stalled honest submissions that start
 * seven programs at once and made `make bench-grade` 10 points slower, while a weight holds a
 * spinner to its share only when others want the CPU (whose deadlines stretch with the load).
 */
export const CPU_SHARES = 1024;
export const TMP_LIMIT_BYTES = 64 * 1024 * 1024;
export const SHM_LIMIT_BYTES = 16 * 1024 * 1024;
const CGROUP_ROOT = '/sys/fs/cgroup';
/** Where bubblewrap is (CLASSCHAT_BWRAP for a build of it elsewhere). */
const bwrap = (): string => process.env.CLASSCHAT_BWRAP || '/usr/bin/bwrap';
const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;

export interface SandboxSpec {
  /**
   * The uid the sandbox's processes have outside it (inside they are nobody, SANDBOX_UID): one of
   * its own per run, owning nothing, so submissions graded side by side share no per-user state
   * of the kernel (keyrings, limits) and cannot signal or trace each other even by accident.
   */
  hostUid: number;
  /** Paths visible inside, read-only, at the same place (code, the kit's copy, node_modules). */
  readOnly: string[];
  /** cgroup folders every sandbox of the run joins before it starts. */
  cgroups: string[];
  /** Where every sandboxed process starts, whatever folder its caller runs in (one it can see). */
  cwd?: string;
  /**
   * The fallback where namespaces cannot be had (--unsandboxed as root, e.g. in a Gradescope
   * container that forbids them): only the drop to the run's own uid, no capabilities, and a
   * process limit for that uid. The code can read what any user can, but write and signal
   * nothing of the grader's, and whatever it leaves running is found by its uid.
   */
  uidOnly?: boolean;
}

export interface Command {
  command: string;
  args: string[];
  /** Where to start it (the uid-only fallback starts in the spec's folder; bwrap chooses its own). */
  cwd?: string;
  /** The uid and gid to start it as (spawn's own options: no setpriv process in between). */
  uid?: number;
  gid?: number;
  /** How many processes stand between the one started and the program: 2 for bwrap (it, then its init). */
  wrappers: number;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The spec the grader set for this process tree, if any. */
export function sandboxSpec(env: NodeJS.ProcessEnv = process.env): SandboxSpec | undefined {
  const json = env[SANDBOX_VAR];
  if (!json) return undefined;
  return JSON.parse(json) as SandboxSpec;
}

/**
 * bwrap's arguments: what the sandbox sees. It runs unprivileged, in a user namespace of its own
 * that maps nobody inside to the run's uid outside and cannot make further ones (no nested user
 * namespaces: less of the kernel within reach). The system's own files are bound read-only.
 */
function bwrapArgs(spec: Pick<SandboxSpec, 'readOnly'>): string[] {
  const args = ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--disable-userns'];
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent');
  for (const dir of ['/usr', '/lib', '/lib64', '/bin', '/sbin']) {
    if (!existsSync(dir)) continue;
    // Merged /usr: /lib and /bin are links into /usr.
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  // Only the few /etc files a program needs: resolving "localhost", naming its user, OpenSSL's config.
  const made = new Set(['/', '/tmp']);
  const bind = (path: string) => args.push(...parents(path, made), '--ro-bind', path, path);
  for (const file of ['/etc/hosts', '/etc/nsswitch.conf', '/etc/passwd', '/etc/group', '/etc/localtime', '/etc/ssl/openssl.cnf']) {
    if (existsSync(file)) bind(file);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--size', String(TMP_LIMIT_BYTES), '--tmpfs', '/tmp');
  // POSIX shared memory, a tmpfs of its own too: without a size it could take all the memory limit.
  args.push('--perms', '1777', '--size', String(SHM_LIMIT_BYTES), '--tmpfs', '/dev/shm');
  for (const path of spec.readOnly) bind(path);
  args.push('--setenv', 'HOME', '/tmp', '--setenv', 'TMPDIR', '/tmp');
  return args;
}

/** bwrap makes missing parent folders root-only: make them 0755 first, so the bound path is reachable. */
function parents(path: string, made: Set<string>): string[] {
  const args: string[] = [];
  for (let dir = dirname(path); !made.has(dir); dir = dirname(dir)) {
    made.add(dir);
    args.unshift('--perms', '0755', '--dir', dir);
  }
  return args;
}

/** Drops to the run's uid with no capabilities and no way to gain any (the uid-only fallback; the probe). */
const drop = (uid: number): string[] => ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'];
/** Inside: the program's signals back at their defaults (the script below ignores some). */
const RESET_SIGNALS = ['/usr/bin/env', '--default-signal'];

/**
 * A shell script that joins the run's cgroups and becomes bwrap. It starts as the run's uid already
 * (spawn drops it there, which clears every capability; bwrap then sets no_new_privs and drops the
 * bounding set for what it runs), and the cgroups' cgroup.procs files are that uid's, so a setpriv
 * process in between would only cost a start. bwrap ignores SIGTERM/SIGINT/SIGHUP, so a signal sent
 * to the program's process group reaches the program, and its own exit code, not bwrap's death, is
 * what the tests see. The program gets those signals back at their defaults: Node resets every
 * disposition when it starts, anything else through env.
 */
function script(spec: SandboxSpec, cwd: string, command: string): string {
  const enter = spec.cgroups.map((cg) => `echo $$ > ${quote(`${cg}/cgroup.procs`)} || exit 125`).join('\n');
  const run = [bwrap(), ...bwrapArgs(spec), '--chdir'].map(quote).join(' ');
  const reset = command === process.execPath ? '' : `${RESET_SIGNALS.map(quote).join(' ')} `;
  return `${enter}\ntrap '' TERM INT HUP\nexec ${run} ${cwd} -- ${reset}"$@"\n`;
}

/**
 * The environment a sandboxed program gets: the tester's, less what is the grader's business (its
 * result channel, the sandbox's own settings, npm's configuration, anything named like a secret).
 */
export function sandboxEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^(CLASSCHAT_RESULTS_FD|CLASSCHAT_SANDBOX|CLASSCHAT_PROGRAMS|CLASSCHAT_BUNDLE_PROGRAMS|CLASSCHAT_MODULE_CACHE|ESBUILD_BINARY_PATH)$|^npm_|SECRET|TOKEN|PASSWORD|CREDENTIAL|_KEY$/i.test(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/** `command args…` as it runs under the grader: inside the sandbox if one is set, as is otherwise. */
export function sandboxed(command: string, args: readonly string[], cwd: string | undefined, env: NodeJS.ProcessEnv = process.env): Command {
  const spec = sandboxSpec(env);
  if (!spec) return { command, args: [...args], cwd, wrappers: 0 };
  if (spec.uidOnly) {
    // prlimit and setpriv exec into the program: the process started is the program.
    const limit = ['/usr/bin/prlimit', `--nproc=${PROCESS_LIMIT}:${PROCESS_LIMIT}`, '--'];
    return { command: limit[0], args: [...limit.slice(1), ...drop(spec.hostUid), ...RESET_SIGNALS, command, ...args], cwd: spec.cwd ?? cwd, wrappers: 0 };
  }
  const shell = ['-c', script(spec, quote(spec.cwd ?? cwd ?? process.cwd()), command), 'sandbox', command, ...args];
  return { command: '/bin/sh', args: shell, uid: spec.hostUid, gid: spec.hostUid, wrappers: 2 };
}

/**
 * Threads of a sandbox's run that want a CPU now (state R, throttled ones too), from its cpu
 * cgroup: the load the submission makes itself. 0 without a sandbox.
 */
export function runnableTasks(spec: SandboxSpec | undefined): number {
  const cpu = spec?.cgroups.find((cg) => cg.split('/').includes('cpu'));
  if (!cpu) return 0;
  let count = 0;
  for (const tid of safeRead(join(cpu, 'tasks')).split('\n').filter(Boolean)) {
    const stat = safeRead(`/proc/${tid}/stat`);
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'R') count++;
  }
  return count;
}

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

/**
 * `command args…` in a network namespace of its own with only loopback up: the submission's
 * trusted test runner runs there, and its sandboxes share it (bwrap keeps the network namespace).
 */
export function inOwnNetwork(command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: '/usr/bin/unshare', args: ['-n', '--', '/bin/sh', '-c', `${quote(IP)} link set lo up && exec "$@"`, 'netns', command, ...args] };
}

/** The grader's own cgroup of a controller (v1): the run's cgroups go beneath it. */
function ownCgroup(controller: string): string | undefined {
  const base = join(CGROUP_ROOT, controller);
  if (!existsSync(join(base, 'cgroup.procs'))) return undefined;
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
  return join(base, line?.split(':')[2] ?? '/');
}

/** Why the sandbox cannot be had here, in one line; undefined when it can. */
export function sandboxUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the sandbox needs Linux';
  if (process.getuid?.() !== 0) return 'the sandbox needs root (to drop student code to an unprivileged user)';
  // prlimit: contained bundling (harness/contained-build.ts) caps the size of what esbuild writes.
  for (const tool of [bwrap(), '/usr/bin/setpriv', '/usr/bin/unshare', '/usr/bin/env', '/usr/bin/prlimit', IP]) {
    if (!existsSync(tool)) return `${tool} is missing (Debian: apt-get install bubblewrap util-linux)`;
  }
  for (const c of CONTROLLERS) if (!ownCgroup(c)) return `the cgroup v1 ${c} controller is not mounted at ${CGROUP_ROOT}/${c}`;
  const [setpriv, ...dropArgs] = drop(HOST_UID_BASE);
  const net = inOwnNetwork(setpriv, [...dropArgs, bwrap(), ...bwrapArgs({ readOnly: [] }), '--', ...RESET_SIGNALS, process.execPath, '-e', '0']);
  const probe = spawnSync(net.command, net.args, { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) return `bubblewrap cannot make namespaces here: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0]}`;
  return undefined;
}

export interface RunSandbox {
  /** Environment for the trusted runner: every sandbox of the run reads its spec from it. */
  env: NodeJS.ProcessEnv;
  spec: SandboxSpec;
  /** Pids still in the run's cgroups (a process that is exiting may be listed a moment longer). */
  processes(): number[];
  /** Kills whatever is still in the run's cgroups, removes them; returns what happened. */
  close(): { killed: number; notes: string[] };
}

/** Why even the uid-only fallback cannot be had here; undefined when it can. */
export function uidOnlyUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux';
  for (const tool of ['/usr/bin/setpriv', '/usr/bin/prlimit', '/usr/bin/env']) if (!existsSync(tool)) return `${tool} is missing`;
  return undefined;
}

/**
 * The fallback of one run where the sandbox cannot be had (see SandboxSpec.uidOnly): its uid, no
 * cgroups; what is left of it is found, and killed, by that uid.
 */
export function openUidOnlyRun(name: string, cwd?: string): RunSandbox {
  const spec: SandboxSpec = { hostUid: hostUidOf(name), readOnly: [], cgroups: [], uidOnly: true, ...(cwd ? { cwd } : {}) };
  const processes = (): number[] => processesOfUid(spec.hostUid);
  return {
    spec,
    env: { [SANDBOX_VAR]: JSON.stringify(spec) },
    processes,
    close: () => {
      return { killed: killUntilGone(processes), notes: [] };
    },
  };
}

/** Processes whose real uid is `uid` (Linux /proc). */
function processesOfUid(uid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const real = /^Uid:\s+(\d+)/m.exec(safeRead(`/proc/${entry}/status`))?.[1];
    if (real !== undefined && Number(real) === uid) found.push(Number(entry));
  }
  return found;
}

/** Makes the cgroups of one run (one submission) and the spec its sandboxes share. */
export function openRunSandbox(name: string, readOnly: string[], cwd?: string): RunSandbox {
  const cgroups = CONTROLLERS.map((c) => join(ownCgroup(c)!, `classchat-${name}`));
  for (const cg of cgroups) mkdirSync(cg, { recursive: true });
  const [memory, pids, cpu] = cgroups;
  writeFileSync(join(memory, 'memory.limit_in_bytes'), String(MEMORY_LIMIT_BYTES));
  // No swap here, but where there is some it must not extend the limit.
  if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) tryWrite(join(memory, 'memory.memsw.limit_in_bytes'), String(MEMORY_LIMIT_BYTES));
  writeFileSync(join(pids, 'pids.max'), String(PROCESS_LIMIT));
  writeFileSync(join(cpu, 'cpu.shares'), String(CPU_SHARES));
  const spec: SandboxSpec = { hostUid: hostUidOf(name), readOnly, cgroups, ...(cwd ? { cwd } : {}) };
  // Its sandboxes join by themselves, already as its uid (see script()); they cannot leave, since
  // every other cgroup's cgroup.procs is root's, nor see these files at all from inside.
  for (const cg of cgroups) chownSync(join(cg, 'cgroup.procs'), spec.hostUid, spec.hostUid);
  const inAny = (): number[] => [...new Set(cgroups.flatMap(procsOf))];
  return {
    spec,
    env: { [SANDBOX_VAR]: JSON.stringify(spec) },
    processes: inAny,
    close: () => closeCgroups(memory, pids, cgroups),
  };
}

/** Uids the runs take outside their sandboxes: far above any account's (and any subuid range in use). */
const HOST_UID_BASE = 1_600_000_000;
const HOST_UID_SPAN = 100_000_000;

/** The run's own uid, from its (unique) name: two runs at once get the same one only by a 1-in-10^8 chance. */
function hostUidOf(name: string): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (const byte of Buffer.from(name)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return HOST_UID_BASE + (hash % HOST_UID_SPAN);
}

function tryWrite(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch {
    // Not supported by this kernel: the memory limit alone holds.
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

const procsOf = (cg: string): number[] =>
  existsSync(cg) ? readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number) : [];

/**
 * SIGKILLs what `left()` lists until it lists nothing (or 5 s of rounds have passed), pausing
 * between rounds to let the kernel finish them; returns how many processes were killed.
 */
function killUntilGone(left: () => number[]): number {
  const killed = new Set<number>();
  for (let round = 0; round < 250; round++) {
    const pids = left();
    if (pids.length === 0) break;
    for (const pid of pids) {
      killed.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    Atomics.wait(PAUSE, 0, 0, 20);
  }
  return killed.size;
}

function closeCgroups(memory: string, pids: string, all: string[]): { killed: number; notes: string[] } {
  const notes: string[] = [];
  const hitMax = Number(/^max (\d+)/m.exec(safeRead(join(pids, 'pids.events')))?.[1] ?? 0);
  if (hitMax > 0) notes.push(`The submission tried to run more than ${PROCESS_LIMIT} processes at once; the extra ones were refused.`);
  const oomKills = Number(/^oom_kill (\d+)/m.exec(safeRead(join(memory, 'memory.oom_control')))?.[1] ?? 0);
  // At the limit the kernel may reclaim for a long while before it kills: a limit reached counts
  // even where nothing was killed yet.
  const limitHits = Number(safeRead(join(memory, 'memory.failcnt')).trim() || 0);
  if (oomKills > 0) notes.push(`The submission used more than ${MEMORY_LIMIT_BYTES / 2 ** 30} GiB of memory; ${oomKills} of its processes were killed.`);
  else if (limitHits > 0) notes.push(`The submission tried to use more than ${MEMORY_LIMIT_BYTES / 2 ** 30} GiB of memory; it was held to that.`);
  // A process cannot leave its cgroup from inside the sandbox: killing them all is killing them all.
  const killed = killUntilGone(() => [...new Set(all.flatMap(procsOf))]);
  for (const cg of all) {
    try {
      rmdirSync(cg);
    } catch {
      // A process still exiting; the next run's name differs, so this one is only left empty.
    }
  }
  return { killed, notes };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
