import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/start.ts';

/**
 * npm run sandbox [-- --port N --reset]
 *
 * The real bot against a Slack stand-in on loopback, with demo data, in the browser: no Slack
 * workspace, no credentials, no database server. See README.md → Try it.
 */
const USAGE = `usage: npm run sandbox [-- --port N] [--reset]
  --port N   where the page and the Slack stand-in listen, on 127.0.0.1 (default 3000)
  --reset    start over: delete the sandbox's data (DATA_DIR, default ./data/sandbox) and load the demo data again
  --help     show this help
`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(args.values.port ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a TCP port (0–65535), got "${args.values.port}"\n${USAGE}`);
  process.exit(2);
}

const startedAt = Date.now();
try {
  const sandbox = await startSandbox({
    port,
    dataDir: process.env.DATA_DIR?.trim() || './data/sandbox',
    reset: args.values.reset,
    logLevel: process.env.LOG_LEVEL?.trim() || 'warn',
    onServing: (url) =>
      process.stdout.write(
        `The page is at ${url}/ (${((Date.now() - startedAt) / 1000).toFixed(1)} s); starting the bot…\n`,
      ),
  });
  process.stdout.write(
    `AR Bridge sandbox is running (${sandbox.loaded ? 'demo data loaded' : 'demo data kept; --reset reloads it'}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s).\n` +
      `Open ${sandbox.url}/ in your browser. Ctrl-C stops it.\n`,
  );
  let signals = 0;
  const stop = () => {
    signals += 1;
    if (signals > 1) process.exit(1);
    sandbox
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`sandbox: stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  process.stderr.write(
    code === 'EADDRINUSE'
      ? `sandbox: port ${port} is in use; pick another with: npm run sandbox -- --port ${port + 1}\n`
      : `sandbox: cannot start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
}
