export { childLogger, createLogger, repeatedKeys, silentLogger, type Logger, type LoggerSettings } from './logger.js';
export {
  createMetrics,
  getMetrics,
  presetStageMetrics,
  MetricLabels,
  MESSAGE_OUTCOMES,
  DOCUMENT_OUTCOMES,
  INFERENCE_BUCKETS,
  DOCUMENT_BUCKETS,
  HTTP_BUCKETS,
  type Metrics,
  type MessageOutcome,
  type DocumentOutcome,
} from './metrics.js';
