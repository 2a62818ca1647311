// Entry point of the `paperline` command (bin/paperline.js runs this, built or through tsx).
import { setMaxListeners } from 'node:events';
import { createContext } from './context.js';
import { ExitCodes } from './errors.js';
import { runCli } from './program.js';

/** A second signal this soon after the first is the same Ctrl-C reaching us twice (terminal and launcher). */
const REPEAT_SIGNAL_MS = 1_000;

/** After a signal, the command gets this long to close cleanly (up: its stages' grace) before it is ended. */
const SHUTDOWN_LIMIT_MS = 45_000;

/**
 * Once the command has closed what it opened, a handle some library left behind (a timer, a
 * socket) must not keep the command alive: it exits after this grace, which lets stdout drain.
 */
const EXIT_GRACE_MS = 2_000;

const controller = new AbortController();
// every document a command waits on listens to it (parse of 22 files: 22 listeners, each removed when its wait ends)
setMaxListeners(0, controller.signal);
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  const now = Date.now();
  if (firstSignalAt === 0) {
    firstSignalAt = now;
    controller.abort(new Error(`received ${signal}`));
    setTimeout(() => {
      process.stderr.write(`paperline: not stopped ${SHUTDOWN_LIMIT_MS / 1000} s after ${signal}; exiting\n`);
      process.exit(ExitCodes.INTERRUPTED);
    }, SHUTDOWN_LIMIT_MS).unref();
  } else if (now - firstSignalAt > REPEAT_SIGNAL_MS) {
    process.stderr.write('paperline: forced exit\n');
    process.exit(ExitCodes.INTERRUPTED);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// the reader went away (`paperline status | head -1`): nothing more can be shown, so end quietly
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const natsUrl: { value?: string } = {};
const ctx = createContext({ env: process.env, signal: controller.signal, natsUrl: () => natsUrl.value });
const code = await runCli(process.argv.slice(2), ctx, natsUrl);
process.exitCode = code;
setTimeout(() => {
  ctx.log.debug({ code, resources: process.getActiveResourcesInfo() }, 'exiting with handles still open');
  process.exit(code);
}, EXIT_GRACE_MS).unref();
