import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Label names in one place, so dashboards and code agree. */
export const MetricLabels = {
  stage: 'stage',
  outcome: 'outcome',
  model: 'model',
  device: 'device',
  kind: 'kind',
  priority: 'priority',
  event: 'event',
  method: 'method',
  route: 'route',
  status: 'status',
  stream: 'stream',
  consumer: 'consumer',
} as const;

/** Outcomes of pl_stage_messages_total, pre-set to 0 per stage so increase() sees the first one. */
export const MESSAGE_OUTCOMES = ['ack', 'nak', 'term', 'dead_letter'] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];
/** Outcomes of pl_documents_total, pre-set to 0 in every process. */
export const DOCUMENT_OUTCOMES = ['completed', 'failed'] as const;
export type DocumentOutcome = (typeof DOCUMENT_OUTCOMES)[number];

/**
 * Inference takes milliseconds on a GPU and up to minutes for a large CPU batch on a busy node:
 * the buckets span both, so p95 never clamps at the top bucket.
 */
export const INFERENCE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320];
/** A document takes a second when small and an hour when it has a thousand scanned pages. */
export const DOCUMENT_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const L = MetricLabels;

/** Every metric paperline exports; names are the ones the dashboards rely on (docs/monitoring.md). */
export function createMetrics(registry: Registry) {
  const r = [registry];
  const metrics = {
    registry,
    stageMessages: new Counter({ name: 'pl_stage_messages_total', help: 'Messages handled by a stage, by outcome (ack, nak, term, dead_letter)', labelNames: [L.stage, L.outcome], registers: r }),
    stageInflight: new Gauge({ name: 'pl_stage_inflight', help: 'Messages a stage holds in flight', labelNames: [L.stage], registers: r }),
    stagePaused: new Gauge({ name: 'pl_stage_paused', help: '1 while a stage is paused', labelNames: [L.stage], registers: r }),
    stageBatchSize: new Histogram({ name: 'pl_stage_batch_size', help: 'Messages per handled batch', labelNames: [L.stage], buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: r }),
    inferenceSeconds: new Histogram({ name: 'pl_inference_seconds', help: 'Model inference time per batch', labelNames: [L.stage, L.model, L.device], buckets: INFERENCE_BUCKETS, registers: r }),
    consumerPending: new Gauge({ name: 'pl_consumer_pending', help: 'Messages waiting for a stage consumer (lag), as one stage instance sees it', labelNames: [L.stage, L.priority], registers: r }),
    consumerAckPending: new Gauge({ name: 'pl_consumer_ack_pending', help: 'Messages delivered and not yet acknowledged, as one stage instance sees it', labelNames: [L.stage, L.priority], registers: r }),
    modelLoaded: new Gauge({ name: 'pl_model_loaded', help: '1 while a model is loaded', labelNames: [L.stage, L.model, L.device], registers: r }),
    modelEvents: new Counter({ name: 'pl_model_events_total', help: 'Model lifecycle events (load, unload, evict, fallback, ...)', labelNames: [L.model, L.event], registers: r }),
    modelMemoryBytes: new Gauge({ name: 'pl_model_memory_bytes', help: 'Measured memory footprint of a loaded model', labelNames: [L.model, L.device], registers: r }),
    budgetCapacityBytes: new Gauge({ name: 'pl_budget_capacity_bytes', help: 'Memory budget capacity of a device', labelNames: [L.device], registers: r }),
    budgetReservedBytes: new Gauge({ name: 'pl_budget_reserved_bytes', help: 'Bytes reserved by leases on a device', labelNames: [L.device], registers: r }),
    devicePresent: new Gauge({ name: 'pl_device_present', help: '1 when the device is visible on this node, 0 when it is configured but absent (a CPU-only node)', labelNames: [L.device, L.kind], registers: r }),
    hostMemoryUsedBytes: new Gauge({ name: 'pl_host_memory_used_bytes', help: 'Host memory in use, all processes', labelNames: [L.device], registers: r }),
    hostMemoryTotalBytes: new Gauge({ name: 'pl_host_memory_total_bytes', help: 'Host memory in total', labelNames: [L.device], registers: r }),
    gpuMemoryUsedBytes: new Gauge({ name: 'pl_gpu_memory_used_bytes', help: 'GPU memory in use, all processes (nvidia-smi)', labelNames: [L.device], registers: r }),
    gpuMemoryTotalBytes: new Gauge({ name: 'pl_gpu_memory_total_bytes', help: 'GPU memory in total (nvidia-smi)', labelNames: [L.device], registers: r }),
    gpuProcessMemoryBytes: new Gauge({ name: 'pl_gpu_process_memory_bytes', help: 'GPU memory used by this process', labelNames: [L.device, L.stage], registers: r }),
    memoryPressure: new Gauge({ name: 'pl_memory_pressure', help: 'Memory pressure level: 0 normal, 1 warn, 2 critical, 3 emergency', labelNames: [L.device], registers: r }),
    documents: new Counter({ name: 'pl_documents_total', help: 'Documents finished, by outcome (completed, failed)', labelNames: [L.outcome], registers: r }),
    documentSeconds: new Histogram({ name: 'pl_document_seconds', help: 'Time from submit to completion', buckets: DOCUMENT_BUCKETS, registers: r }),
    jetstreamUp: new Gauge({ name: 'pl_jetstream_up', help: '1 when the last read of the JetStream state (streams and consumers) succeeded', registers: r }),
    jetstreamConsumerPending: new Gauge({ name: 'pl_jetstream_consumer_pending', help: "Messages waiting for a consumer, from the server's side (visible with no stage process)", labelNames: [L.stream, L.consumer, L.stage, L.priority], registers: r }),
    jetstreamConsumerAckPending: new Gauge({ name: 'pl_jetstream_consumer_ack_pending', help: 'Messages delivered to a consumer and not yet acknowledged', labelNames: [L.stream, L.consumer, L.stage, L.priority], registers: r }),
    jetstreamConsumerRedelivered: new Gauge({ name: 'pl_jetstream_consumer_redelivered', help: 'Messages of a consumer delivered more than once and not yet acknowledged', labelNames: [L.stream, L.consumer, L.stage, L.priority], registers: r }),
    jetstreamConsumerWaiting: new Gauge({ name: 'pl_jetstream_consumer_waiting', help: 'Pull requests waiting on a consumer: 0 means nobody is pulling', labelNames: [L.stream, L.consumer, L.stage, L.priority], registers: r }),
    jetstreamStreamMessages: new Gauge({ name: 'pl_jetstream_stream_messages', help: 'Messages stored in a stream (KV buckets and object stores are streams too)', labelNames: [L.stream], registers: r }),
    jetstreamStreamBytes: new Gauge({ name: 'pl_jetstream_stream_bytes', help: 'Bytes stored in a stream', labelNames: [L.stream], registers: r }),
    jetstreamDeadLetters: new Gauge({ name: 'pl_jetstream_dead_letters', help: 'Dead letters kept in PL_DLQ, by the stage that wrote them', labelNames: [L.stage], registers: r }),
    httpRequests: new Counter({ name: 'pl_http_requests_total', help: 'HTTP requests the gateway answered, by method, route and status', labelNames: [L.method, L.route, L.status], registers: r }),
    httpErrors: new Counter({ name: 'pl_http_errors_total', help: 'HTTP requests the gateway answered with a status of 500 or more', labelNames: [L.method, L.route], registers: r }),
    httpSeconds: new Histogram({ name: 'pl_http_request_seconds', help: 'Time to answer an HTTP request', labelNames: [L.method, L.route], buckets: HTTP_BUCKETS, registers: r }),
  };
  for (const outcome of DOCUMENT_OUTCOMES) metrics.documents.inc({ outcome }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Pre-sets a stage's message counters and gauges, so its series exist from the first scrape. */
export function presetStageMetrics(metrics: Metrics, stage: string): void {
  for (const outcome of MESSAGE_OUTCOMES) metrics.stageMessages.inc({ stage, outcome }, 0);
  metrics.stageInflight.set({ stage }, 0);
}

let processMetrics: Metrics | undefined;

/** One registry per process: in the embedded mode every stage shares it, told apart by labels. */
export function getMetrics(): Metrics {
  if (!processMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    processMetrics = createMetrics(registry);
  }
  return processMetrics;
}
