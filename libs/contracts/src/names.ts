// Subjects, streams, consumers, buckets and object stores: the whole wire vocabulary.

export const STAGES = ['render', 'layout', 'ocr', 'table', 'formula', 'chart', 'assemble'] as const;
export type StageName = (typeof STAGES)[number];

/** Stages fed from PL_WORK (render is fed from PL_DOCS: submits and its own continuations). */
export const WORK_STAGES = ['layout', 'ocr', 'table', 'formula', 'chart', 'assemble'] as const;
export type WorkStageName = (typeof WORK_STAGES)[number];

export const FEATURES = ['table', 'formula', 'chart'] as const;
export type FeatureName = (typeof FEATURES)[number];

/** Drained in this order: every high message goes before any normal one. */
export const PRIORITIES = ['high', 'normal'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const Streams = {
  docs: 'PL_DOCS',
  work: 'PL_WORK',
  events: 'PL_EVENTS',
  dlq: 'PL_DLQ',
} as const;
export type StreamName = (typeof Streams)[keyof typeof Streams];

export const Buckets = {
  control: 'pl-control',
  memory: 'pl-memory',
  jobs: 'pl-jobs',
  /** Each running stage instance's presence beat (`paperline status`); entries expire with the bucket's TTL. */
  instances: 'pl-instances',
} as const;
export type BucketName = (typeof Buckets)[keyof typeof Buckets];

export const ObjectStores = {
  documents: 'pl-documents',
  pages: 'pl-pages',
  outputs: 'pl-outputs',
} as const;
export type ObjectStoreName = (typeof ObjectStores)[keyof typeof ObjectStores];

export const Subjects = {
  /** Normal-priority documents (the subject of every submit before priorities reached render). */
  submit: 'pl.docs.submit',
  /** `pl.docs.submit` for normal, `pl.docs.submit.high` for high: render drains high first too. */
  submitOf: (priority: Priority) => (priority === 'normal' ? 'pl.docs.submit' : `pl.docs.submit.${priority}`),
  /** `pl.work.<stage>.<priority>` */
  work: (stage: WorkStageName, priority: Priority) => `pl.work.${stage}.${priority}`,
  workAll: 'pl.work.>',
  events: 'pl.events.>',
  docCompleted: 'pl.events.doc.completed',
  docFailed: 'pl.events.doc.failed',
  docCancelled: 'pl.events.doc.cancelled',
  docProgress: 'pl.events.doc.progress',
  /** `pl.events.model.<event>` */
  modelEvent: (event: string) => `pl.events.model.${event}`,
  /** `pl.events.memory.<level>` */
  memoryEvent: (level: string) => `pl.events.memory.${level}`,
  dlq: (stage: StageName) => `pl.dlq.${stage}`,
  dlqAll: 'pl.dlq.>',
  /** Server advisory published when a message ran out of deliveries. */
  maxDeliveriesAdvisory: (stream: string, consumer: string) =>
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`,
} as const;

/** Durable consumer of one stage and priority: `<stage>-<priority>`. */
export function consumerName(stage: StageName, priority: Priority): string {
  return `${stage}-${priority}`;
}

/** The subject a stage's consumer of one priority filters on. */
export function consumerSubject(stage: StageName, priority: Priority): string {
  return stage === 'render' ? Subjects.submitOf(priority) : Subjects.work(stage, priority);
}

/** The stream a stage consumes from. */
export function consumerStream(stage: StageName): StreamName {
  return stage === 'render' ? Streams.docs : Streams.work;
}

/** Every stage has one consumer per priority, render too (`render-high` on `pl.docs.submit.high`). */
export function stagePriorities(_stage: StageName): readonly Priority[] {
  return PRIORITIES;
}

export const ControlKeys = {
  paused: (stage: StageName) => `stage.${stage}.paused`,
  concurrency: (stage: StageName) => `stage.${stage}.concurrency`,
  batchSize: (stage: StageName) => `stage.${stage}.batchSize`,
  featureEnabled: (feature: FeatureName) => `feature.${feature}.enabled`,
} as const;

export const MemoryKeys = {
  /** `ledger.<device>`; device `cpu@node` has '@', which KV keys allow. */
  ledger: (device: string) => `ledger.${encodeKeyToken(device)}`,
  footprint: (model: string, device: string) => `footprint.${encodeKeyToken(model)}.${encodeKeyToken(device)}`,
} as const;

export const InstanceKeys = {
  /** `instance.<stage>.<instance>` */
  instance: (stage: StageName, instance: string) => `instance.${stage}.${encodeKeyToken(instance)}`,
  all: 'instance.>',
} as const;

export const JobKeys = {
  doc: (docId: string) => `doc.${docId}`,
  page: (docId: string, page: number) => `page.${docId}.${page}`,
  region: (docId: string, page: number, regionId: string) => `region.${docId}.${page}.${regionId}`,
  regionsOfDoc: (docId: string) => `region.${docId}.>`,
  pagesOfDoc: (docId: string) => `page.${docId}.*`,
} as const;

/** Object names inside the object stores. */
export const ObjectNames = {
  document: (docId: string) => `${docId}/source`,
  pageRaster: (docId: string, page: number) => `${docId}/${page}.png`,
  pageText: (docId: string, page: number) => `${docId}/${page}.text.json`,
  output: (docId: string, format: OutputFormat) => `${docId}/document.${format}`,
  /** A figure or formula image of a finished document, linked from its Markdown as `assets/<name>`. */
  asset: (docId: string, name: string) => `${docId}/assets/${name}`,
} as const;

/**
 * zlib level of figure images in pl-pages: layout's crops, and render's image layer, which layout
 * keeps as it is as a page's one figure. Level 4 wrote 2 % more bytes than the default 6 on the
 * corpus figures, in 64 % of the CPU (5.1 against 7.9 ms a crop).
 */
export const ASSET_PNG_COMPRESSION = 4;

export const OUTPUT_FORMATS = ['md', 'json'] as const;
/** Key prefix of an asset in a JobRecord's outputs: `asset:<name>` -> object name in pl-outputs. */
export const ASSET_OUTPUT_PREFIX = 'asset:';
/** Where the Markdown and JSON of a document point for its images, relative to themselves. */
export const ASSET_LINK_PREFIX = 'assets/';
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One KV key or subject token: only [-_=a-zA-Z0-9] survive ('.' separates tokens, '@' is not allowed). */
export function encodeKeyToken(value: string): string {
  return value.replace(/[^-_=a-zA-Z0-9@]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/@/g, '_at_');
}

/** Deterministic Nats-Msg-Id so a redelivered message's outputs are deduplicated by the server. */
export const MsgIds = {
  submit: (docId: string) => `${docId}:submit`,
  /** Render's continuation of a document from `page` on; `attempt` counts the times a throttled slice yielded. */
  renderSlice: (docId: string, page: number, attempt = 0) => `${docId}:submit:p${page}${attempt > 0 ? `:y${attempt}` : ''}`,
  page: (docId: string, page: number) => `${docId}:p${page}`,
  layout: (docId: string, page: number) => `${docId}:p${page}:layout`,
  /** A region routed by layout to a feature stage. */
  regionTask: (docId: string, page: number, regionId: string, stage: StageName) => `${docId}:p${page}:${regionId}:${stage}:task`,
  /** That stage's result for the region: distinct from the task, as both live in PL_WORK's duplicate window. */
  regionResult: (docId: string, page: number, regionId: string, stage: StageName) => `${docId}:p${page}:${regionId}:${stage}:result`,
  failure: (docId: string, stage: StageName, page?: number) => `${docId}:${stage}:${page ?? 'doc'}:failed`,
  cancelled: (docId: string) => `${docId}:cancelled`,
} as const;

/** Standard and paperline headers. */
export const Headers = {
  msgId: 'Nats-Msg-Id',
  docId: 'Pl-Doc-Id',
  stage: 'Pl-Stage',
  errorCode: 'Pl-Error-Code',
  errorReason: 'Pl-Error-Reason',
  originalSubject: 'Pl-Original-Subject',
  originalStream: 'Pl-Original-Stream',
  originalSequence: 'Pl-Original-Sequence',
  deliveryCount: 'Pl-Delivery-Count',
} as const;
