// Entry point of the `paperline` command (bin/paperline.js runs this, built or through tsx).
import { createContext } from './context.js';
import { ExitCodes } from './errors.js';
import { runCli } from './program.js';

/** A second signal this soon after the first is the same Ctrl-C reaching us twice (terminal and launcher). */
const REPEAT_SIGNAL_MS = 1_000;

const controller = new AbortController();
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  const now = Date.now();
  if (firstSignalAt === 0) {
    firstSignalAt = now;
    controller.abort(new Error(`received ${signal}`));
  } else if (now - firstSignalAt > REPEAT_SIGNAL_MS) {
    process.stderr.write('paperline: forced exit\n');
    process.exit(ExitCodes.INTERRUPTED);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const natsUrl: { value?: string } = {};
const ctx = createContext({ env: process.env, signal: controller.signal, natsUrl: () => natsUrl.value });
process.exitCode = await runCli(process.argv.slice(2), ctx, natsUrl);
