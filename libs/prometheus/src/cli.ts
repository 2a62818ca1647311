// `npm run prometheus:ensure` (run by `npm test`): provisions the Prometheus the monitoring test
// scrapes the pipeline with. Where none can be had it says so and exits 0: that test then skips.
import { locatePrometheus } from './locate.js';

const prometheus = await locatePrometheus({ log: (line) => console.error(`prometheus: ${line}`) });
if (prometheus) console.log(`prometheus ${prometheus.version} (${prometheus.source}): ${prometheus.path}`);
else console.error('prometheus: none found and Debian\'s package could not be unpacked; test/monitoring will skip. Install it (apt-get install prometheus) or set PROMETHEUS_BIN.');
