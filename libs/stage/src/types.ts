// Public contracts of the stage runtime. Implementations live in their own files.
import type { Bus } from '@paperline/bus';
import type { ErrorCode, Priority, StageName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';

/** starting -> ready <-> paused -> draining -> stopped (or failed). Illegal transitions throw. */
export const StageStates = {
  STARTING: 'starting',
  READY: 'ready',
  PAUSED: 'paused',
  DRAINING: 'draining',
  STOPPED: 'stopped',
  FAILED: 'failed',
} as const;
export type StageState = (typeof StageStates)[keyof typeof StageStates];

/** One delivered message, decoded and validated. */
export interface StageMessage<T> {
  readonly data: T;
  readonly subject: string;
  readonly priority: Priority;
  readonly streamSequence: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly docId: string | undefined;
  /** Child logger carrying stage, instance, docId and stream sequence. */
  readonly log: Logger;
}

/** A message the runtime publishes (and awaits the PubAck of) before acking the input. */
export interface Output {
  subject: string;
  /** Already encoded and validated with contracts' `encode`. */
  data: Uint8Array;
  /** Nats-Msg-Id, from contracts' `MsgIds`: a redelivered input never yields a counted duplicate. */
  msgId: string;
  headers?: Record<string, string>;
}

/** Per message of a batch, in the batch's order: outputs to publish, or the error that decides its fate. */
export type JobOutcome = { outputs: Output[] } | { error: unknown };

export interface BatchContext {
  readonly stage: StageName;
  readonly instance: string;
  readonly bus: Bus;
  readonly log: Logger;
  /** Aborted when the shutdown grace period runs out: stop and return what is done. */
  readonly signal: AbortSignal;
  /** Publishes at once (e.g. render's pages as they are rendered); same dedup rules as outputs. */
  publish(output: Output): Promise<void>;
}

/** What a stage service supplies: its decoding, its batch work, and how it gives memory back. */
export interface StageHandler<T> {
  readonly stage: StageName;
  /** Decode and validate one body; throw a terminal PaperlineError (INVALID_MESSAGE) if malformed. */
  decode(data: Uint8Array): T;
  docIdOf?(data: T): string | undefined;
  pageOf?(data: T): number | undefined;
  handleBatch(batch: ReadonlyArray<StageMessage<T>>, ctx: BatchContext): Promise<JobOutcome[]>;
  /** Called after the pause grace period and at shutdown: unload models, delete leases. */
  release?(): Promise<void>;
  /** Called after a terminal failure was dead-lettered (e.g. to fail the document). */
  onDeadLetter?(failure: DeadLetterInfo): Promise<void>;
  /** Extra fields for /status (models, leases). */
  status?(): Record<string, unknown>;
}

export interface DeadLetterInfo {
  stage: StageName;
  code: ErrorCode;
  reason: string;
  docId: string | undefined;
  page: number | undefined;
  subject: string;
  streamSequence: number;
}
