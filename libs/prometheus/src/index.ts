export { locatePrometheus, prometheusVersion, DEFAULT_PROMETHEUS_CACHE_DIR, type LocatedPrometheus, type LocatePrometheusOptions } from './locate.js';
export { startPrometheus, type LocalPrometheus, type LocalPrometheusOptions, type ScrapeJob } from './server.js';
