import { Headers, type Priority, type StageName } from '@paperline/contracts';
import { childLogger, type Logger } from '@paperline/telemetry';
import type { Delivery } from './delivery.js';
import type { StageMessage } from './types.js';

/**
 * A decoded delivery as the handler sees it. Headers, docId and the child logger are only built
 * when read: a stage doing little per message would otherwise spend more on them than on its work.
 */
export class MessageView<T> implements StageMessage<T> {
  readonly subject: string;
  readonly priority: Priority;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  private headerRecord: Readonly<Record<string, string>> | undefined;
  private docIdRead = false;
  private docIdValue: string | undefined;
  private childLog: Logger | undefined;

  constructor(
    readonly delivery: Delivery,
    readonly data: T,
    private readonly docIdOf: ((data: T) => string | undefined) | undefined,
    private readonly parentLog: Logger,
    private readonly stage: StageName,
    private readonly instance: string,
  ) {
    this.subject = delivery.msg.subject;
    this.priority = delivery.priority;
    this.streamSequence = delivery.info.streamSequence;
    this.deliveryCount = delivery.info.deliveryCount;
  }

  get headers(): Readonly<Record<string, string>> {
    this.headerRecord ??= this.delivery.headers();
    return this.headerRecord;
  }

  get docId(): string | undefined {
    if (!this.docIdRead) {
      this.docIdValue = this.docIdOf?.(this.data) ?? this.headers[Headers.docId];
      this.docIdRead = true;
    }
    return this.docIdValue;
  }

  get log(): Logger {
    this.childLog ??= childLogger(this.parentLog, { stage: this.stage, instance: this.instance, docId: this.docId, streamSeq: this.streamSequence });
    return this.childLog;
  }
}
