// vitest's fork pool, with each test worker started inside the submission's sandbox (see
// sandbox.ts). The stages whose suites import the student's module run their test workers here;
// vitest's main process, its reporter and the result pipe stay outside, on the trusted side.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { PoolOptions, PoolRunnerInitializer, PoolWorker, WorkerRequest } from 'vitest/node';

export const SANDBOX_POOL = 'classchat-sandbox';
const KILL_AFTER_MS = 500;
const STDERR_CAP = 16 * 1024;

class SandboxedWorker implements PoolWorker {
  readonly name = SANDBOX_POOL;
  // Transformed modules travel over the channel, not through a temporary folder of the main process.
  readonly cacheFs = false;
  private child: ChildProcess | undefined;

  constructor(
    private readonly options: PoolOptions,
    private readonly node: string,
  ) {}

  private get proc(): ChildProcess {
    if (!this.child) throw new Error('The sandboxed test worker is not running.');
    return this.child;
  }

  on(event: string, callback: (arg: unknown) => void): void {
    this.proc.on(event, callback);
  }

  off(event: string, callback: (arg: unknown) => void): void {
    this.proc.off(event, callback);
  }

  send(message: WorkerRequest): void {
    this.proc.send(message);
  }

  async start(): Promise<void> {
    this.child ??= fork(join(this.options.distPath, 'workers', 'forks.js'), [], {
      env: this.options.env,
      execArgv: this.options.execArgv,
      execPath: this.node,
      stdio: 'pipe',
      serialization: 'advanced',
    });
    // The student's console output stays here (the runner runs --silent); a little of stderr is
    // passed on so a worker that cannot start says why.
    this.child.stdout?.resume();
    let passed = 0;
    this.child.stderr?.on('data', (chunk: Buffer) => {
      if (passed >= STDERR_CAP) return;
      passed += chunk.length;
      process.stderr.write(chunk);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      child.kill();
      await exited;
      clearTimeout(timer);
    }
  }

  deserialize(data: unknown): unknown {
    return data;
  }
}

/** The pool for vitest's config: `node` is the wrapper from writeNodeWrapper(). */
export const sandboxPool = (node: string): PoolRunnerInitializer => ({
  name: SANDBOX_POOL,
  createPoolWorker: (options) => new SandboxedWorker(options, node),
});
