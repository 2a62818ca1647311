import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Label names in one place, so dashboards and code agree. */
export const MetricLabels = {
  stage: 'stage',
  outcome: 'outcome',
  model: 'model',
  device: 'device',
  priority: 'priority',
  event: 'event',
} as const;

const L = MetricLabels;

/** Every metric paperline exports; names are the ones the dashboards rely on (docs/monitoring.md). */
export function createMetrics(registry: Registry) {
  const r = [registry];
  return {
    registry,
    stageMessages: new Counter({ name: 'pl_stage_messages_total', help: 'Messages handled by a stage, by outcome (ack, nak, term, dead_letter)', labelNames: [L.stage, L.outcome], registers: r }),
    stageInflight: new Gauge({ name: 'pl_stage_inflight', help: 'Messages a stage holds in flight', labelNames: [L.stage], registers: r }),
    stagePaused: new Gauge({ name: 'pl_stage_paused', help: '1 while a stage is paused', labelNames: [L.stage], registers: r }),
    stageBatchSize: new Histogram({ name: 'pl_stage_batch_size', help: 'Messages per handled batch', labelNames: [L.stage], buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: r }),
    inferenceSeconds: new Histogram({ name: 'pl_inference_seconds', help: 'Model inference time per batch', labelNames: [L.stage, L.model, L.device], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r }),
    consumerPending: new Gauge({ name: 'pl_consumer_pending', help: 'Messages waiting for a stage consumer (lag)', labelNames: [L.stage, L.priority], registers: r }),
    consumerAckPending: new Gauge({ name: 'pl_consumer_ack_pending', help: 'Messages delivered and not yet acknowledged', labelNames: [L.stage, L.priority], registers: r }),
    modelLoaded: new Gauge({ name: 'pl_model_loaded', help: '1 while a model is loaded', labelNames: [L.stage, L.model, L.device], registers: r }),
    modelEvents: new Counter({ name: 'pl_model_events_total', help: 'Model lifecycle events (load, unload, evict, fallback, ...)', labelNames: [L.model, L.event], registers: r }),
    modelMemoryBytes: new Gauge({ name: 'pl_model_memory_bytes', help: 'Measured memory footprint of a loaded model', labelNames: [L.model, L.device], registers: r }),
    budgetCapacityBytes: new Gauge({ name: 'pl_budget_capacity_bytes', help: 'Memory budget capacity of a device', labelNames: [L.device], registers: r }),
    budgetReservedBytes: new Gauge({ name: 'pl_budget_reserved_bytes', help: 'Bytes reserved by leases on a device', labelNames: [L.device], registers: r }),
    gpuMemoryUsedBytes: new Gauge({ name: 'pl_gpu_memory_used_bytes', help: 'GPU memory in use (nvidia-smi)', labelNames: [L.device], registers: r }),
    gpuMemoryTotalBytes: new Gauge({ name: 'pl_gpu_memory_total_bytes', help: 'GPU memory in total (nvidia-smi)', labelNames: [L.device], registers: r }),
    gpuProcessMemoryBytes: new Gauge({ name: 'pl_gpu_process_memory_bytes', help: 'GPU memory used by this process', labelNames: [L.device, L.stage], registers: r }),
    memoryPressure: new Gauge({ name: 'pl_memory_pressure', help: 'Memory pressure level: 0 normal, 1 warn, 2 critical, 3 emergency', labelNames: [L.device], registers: r }),
    documents: new Counter({ name: 'pl_documents_total', help: 'Documents finished, by outcome (completed, failed)', labelNames: [L.outcome], registers: r }),
    documentSeconds: new Histogram({ name: 'pl_document_seconds', help: 'Time from submit to completion', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600], registers: r }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

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
