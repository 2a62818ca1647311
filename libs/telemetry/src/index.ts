export { childLogger, createLogger, repeatedKeys, silentLogger, type Logger, type LoggerSettings } from './logger.js';
export { createMetrics, getMetrics, MetricLabels, type Metrics } from './metrics.js';
