import { type ChildProcess, spawn } from 'node:child_process';

export type AppProcess = ChildProcess & { output: () => string; exited: Promise<number | null> };

/** `npm start` as a user runs it: the real entry point in its own process, with only `env` configured. */
export function startApp(
  env: Record<string, string>,
  script = 'src/main.ts',
  args: string[] = [],
): AppProcess {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(SLACK_|DATABASE_URL|FINANCE_|AR_USER|WEBHOOK_|API_TOKEN|PORT$|DATA_DIR|NAG_|WORK_|SWEEP_)/.test(
          k,
        ),
    ),
  );
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return Object.assign(child, { output: () => output, exited });
}

export async function waitForOutput(
  child: AppProcess,
  pattern: RegExp,
  // Opening the embedded database on a loaded two-core machine can take most of a minute.
  timeoutMs = 60_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no ${pattern} in:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the app and returns its HTTP port once it says it is running. */
export async function startAppOnPort(
  env: Record<string, string>,
): Promise<{ app: AppProcess; port: number }> {
  const app = startApp({ PORT: '0', ...env });
  const [, port] = await waitForOutput(app, /"port":(\d+).*AR Bridge is running/);
  return { app, port: Number(port) };
}

/** Runs one of the command-line tools to completion. */
export async function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = startApp(env, script, args);
  const code = await child.exited;
  return { code, output: child.output() };
}
