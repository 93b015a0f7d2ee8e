import { type ChildProcess, spawn } from 'node:child_process';

/** A runtime's process serving the app. */
export interface RuntimeProcess {
  /** Where the app listens: http://127.0.0.1:port. */
  readonly origin: string;
  /** From spawn to the "listening" line, in ms. */
  readonly readyMs: number;
  /** Everything the process wrote so far (stdout and stderr, interleaved). */
  output(): string;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
}

/** How to start one. */
export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

const running = new Set<ChildProcess>();
// The test process ending without afterAll (a crash, Ctrl-C): take the runtimes with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const READY_TIMEOUT_MS = 15_000;
const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:\d+)\r?\n/m;

/**
 * Spawns a launcher (each binds a free port of the system's choosing, port 0) and resolves once
 * it prints `listening on <origin>`; rejects with its output if it exits or stays silent first.
 */
export function startRuntimeProcess(launch: Launch): Promise<RuntimeProcess> {
  const started = performance.now();
  const child = spawn(launch.command, [...launch.args], {
    cwd: launch.cwd,
    // Only what the launcher is given: no test runner's variables leak into the app.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...launch.env },
    // stdin: a pipe whose end tells the launcher the test process is gone (exitWithParent).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let stdout = '';
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => {
      running.delete(child);
      resolve();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${why}; its output ends:\n${tail(output)}`)));
    };
    const timer = setTimeout(
      () => fail(`${launch.command} printed no "listening" line in ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (settled) return;
      stdout += chunk.toString();
      const found = LISTENING.exec(stdout);
      if (!found?.[1]) return;
      settled = true;
      clearTimeout(timer);
      const readyMs = performance.now() - started;
      resolve({ origin: found[1], readyMs, output: () => output, stop });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => fail(`${launch.command} did not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`the process exited (${signal ?? code})`));
  });
}

/** The last lines of a process's output: where its error is. */
function tail(output: string): string {
  return output.trim().split('\n').slice(-30).join('\n');
}
