// Tests of the client, the gateway and the CLI play the pipeline's part on the job record.
import type { KV } from '@nats-io/kv';
import { Buckets, JobKeys, JobRecordSchema, decode, encode, type JobRecord } from '@paperline/contracts';

/** What of a Bus this needs (testing does not depend on the bus lib: the bus's own tests use testing). */
export interface JobsBucketSource {
  kv(bucket: typeof Buckets.jobs): Promise<KV>;
}

/** Rewrites a document's job record in pl-jobs as render and assemble would (compare-and-set on its revision). */
export async function updateJobRecord(bus: JobsBucketSource, docId: string, change: Partial<JobRecord>): Promise<void> {
  const kv = await bus.kv(Buckets.jobs);
  const entry = await kv.get(JobKeys.doc(docId));
  if (!entry) throw new Error(`no job record for ${docId}`);
  const job = decode(JobRecordSchema, entry.value);
  await kv.update(JobKeys.doc(docId), encode(JobRecordSchema, { ...job, ...change, updatedAt: new Date().toISOString() }), entry.revision);
}
