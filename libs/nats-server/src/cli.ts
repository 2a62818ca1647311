// `npm run nats-server:ensure`: finds or provisions the nats-server the tests and the embedded
// default use, and prints where it is.
import { locateNatsServer } from './locate.js';

const quiet = process.argv.includes('--quiet');
try {
  const server = await locateNatsServer({ log: (line) => console.error(`nats-server: ${line}`) });
  if (!quiet) console.log(`nats-server ${server.version} (${server.source}): ${server.path}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
