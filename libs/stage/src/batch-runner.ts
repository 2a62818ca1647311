import type { Bus } from '@paperline/bus';
import { PaperlineError, errorCodeOf, isTerminal, type ErrorCode } from '@paperline/contracts';
import type { Logger, Metrics } from '@paperline/telemetry';
import type { DeadLetters } from './dead-letters.js';
import type { Delivery } from './delivery.js';
import { MessageView } from './message.js';
import { backoffDelayMs, type CompiledStageOptions } from './options.js';
import type { OutputPublisher } from './publisher.js';
import type { BatchContext, JobOutcome, Output, StageHandler } from './types.js';

export interface BatchRunnerDeps<T> {
  handler: StageHandler<T>;
  bus: Bus;
  options: CompiledStageOptions;
  metrics: Metrics;
  log: Logger;
  deadLetters: DeadLetters<T>;
  publisher: OutputPublisher;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one batch: decode (a decode error is terminal), handleBatch, then each message's fate:
 * outputs published and PubAck'ed before the ack; a terminal error dead-lettered, then term'ed;
 * a retryable one nak'ed with backoff. A message settled elsewhere meanwhile (shutdown nak) is
 * left alone.
 */
export class BatchRunner<T> {
  constructor(private readonly deps: BatchRunnerDeps<T>) {}

  async run(batch: readonly Delivery[], signal: AbortSignal): Promise<void> {
    const { handler, options, log, metrics } = this.deps;
    const started = Date.now();
    const views: MessageView<T>[] = [];
    const failures: Array<Promise<void>> = [];
    for (const delivery of batch) {
      try {
        views.push(new MessageView(delivery, handler.decode(delivery.msg.data), handler.docIdOf?.bind(handler), log, options.stage, options.instance));
      } catch (error) {
        // whatever decode threw, the bytes will not decode next time either
        failures.push(this.fail(delivery, isTerminal(error) ? error : new PaperlineError('INVALID_MESSAGE', reasonOf(error), { cause: error })));
      }
    }
    log.debug({ size: batch.length, decoded: views.length }, 'batch start');
    metrics.stageBatchSize.observe({ stage: options.stage }, batch.length);
    if (views.length > 0) {
      let outcomes: JobOutcome[];
      try {
        outcomes = await handler.handleBatch(views, this.context(signal));
      } catch (error) {
        outcomes = views.map(() => ({ error }));
      }
      await Promise.all(
        views.map((view, i) => {
          const outcome = outcomes[i] ?? { error: new Error(`handleBatch returned ${outcomes.length} outcomes for ${views.length} messages`) };
          return 'error' in outcome ? this.fail(view.delivery, outcome.error, view.log) : this.succeed(view, outcome.outputs);
        }),
      );
    }
    await Promise.all(failures);
    log.debug({ size: batch.length, durationMs: Date.now() - started }, 'batch end');
  }

  private context(signal: AbortSignal): BatchContext {
    const { options, bus, log } = this.deps;
    return {
      stage: options.stage,
      instance: options.instance,
      bus,
      log,
      signal,
      publish: (output) => this.publish(output),
    };
  }

  private async publish(output: Output): Promise<void> {
    await this.deps.publisher.publish(output.subject, output.data, { msgId: output.msgId, headers: output.headers });
  }

  private async succeed(view: MessageView<T>, outputs: readonly Output[]): Promise<void> {
    const { delivery } = view;
    if (delivery.settled) return;
    try {
      if (outputs.length === 1) await this.publish(outputs[0] as Output);
      else if (outputs.length > 1) await Promise.all(outputs.map((o) => this.publish(o)));
    } catch (error) {
      await this.fail(delivery, error, view.log);
      return;
    }
    if (delivery.ack()) this.deps.metrics.stageMessages.inc({ stage: this.deps.options.stage, outcome: 'ack' });
  }

  private async fail(delivery: Delivery, error: unknown, log: Logger = this.deps.log): Promise<void> {
    if (delivery.settled) return;
    const { options, metrics, deadLetters } = this.deps;
    const reason = reasonOf(error);
    if (isTerminal(error)) {
      let info;
      try {
        info = await deadLetters.publish({
          subject: delivery.msg.subject,
          stream: delivery.info.stream,
          streamSequence: delivery.info.streamSequence,
          deliveryCount: delivery.info.deliveryCount,
          data: delivery.msg.data,
          headers: delivery.headers(),
          code: errorCodeOf(error),
          reason,
        });
      } catch (publishError) {
        // without its dead letter the message must not go: retry it later
        log.error({ err: publishError }, 'dead letter publish failed; nak instead');
        this.retry(delivery, errorCodeOf(error), reason, undefined);
        return;
      }
      if (delivery.term(reason)) metrics.stageMessages.inc({ stage: options.stage, outcome: 'term' });
      await deadLetters.remove(delivery.info.stream, delivery.info.streamSequence);
      await deadLetters.notify(info);
      return;
    }
    this.retry(delivery, errorCodeOf(error), reason, (error as Partial<PaperlineError> | undefined)?.retryAfterMs, log);
  }

  private retry(delivery: Delivery, code: ErrorCode, reason: string, retryAfterMs: number | undefined, log: Logger = this.deps.log): void {
    const { options, metrics, deadLetters } = this.deps;
    const delayMs = retryAfterMs ?? backoffDelayMs(options.backoff, delivery.info.deliveryCount);
    deadLetters.rememberFailure(delivery.info.streamSequence, reason);
    if (delivery.nak(delayMs)) metrics.stageMessages.inc({ stage: options.stage, outcome: 'nak' });
    log.warn({ streamSeq: delivery.info.streamSequence, deliveryCount: delivery.info.deliveryCount, delayMs, code, reason }, 'retrying later');
  }
}
