import { Headers, type Priority, type StageName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import type { Delivery } from './delivery.js';
import type { StageMessage } from './types.js';

/** A decoded delivery as the handler sees it; the child logger is only built when used. */
export class MessageView<T> implements StageMessage<T> {
  readonly subject: string;
  readonly priority: Priority;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly docId: string | undefined;
  private childLog: Logger | undefined;

  constructor(
    readonly delivery: Delivery,
    readonly data: T,
    docIdOf: ((data: T) => string | undefined) | undefined,
    private readonly parentLog: Logger,
    private readonly stage: StageName,
    private readonly instance: string,
  ) {
    this.subject = delivery.msg.subject;
    this.priority = delivery.priority;
    this.streamSequence = delivery.info.streamSequence;
    this.deliveryCount = delivery.info.deliveryCount;
    this.headers = delivery.headers();
    this.docId = docIdOf?.(data) ?? this.headers[Headers.docId];
  }

  get log(): Logger {
    this.childLog ??= this.parentLog.child({ stage: this.stage, instance: this.instance, docId: this.docId, streamSeq: this.streamSequence });
    return this.childLog;
  }
}
