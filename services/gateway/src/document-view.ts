import type { JobRecord } from '@paperline/contracts';

/** The public JSON of a document's status: the job record without internals, plus links. */
export interface DocumentView {
  id: string;
  status: JobRecord['status'];
  fileName: string;
  pageCount: number | null;
  pagesDone: number;
  options: JobRecord['options'];
  error?: NonNullable<JobRecord['error']>;
  /** Formats ready to fetch from the result link. */
  outputs: string[];
  submittedAt: string;
  updatedAt: string;
  completedAt?: string;
  links: { self: string; result: string };
}

export function documentView(job: JobRecord, basePath: string): DocumentView {
  const self = `${basePath}/${job.docId}`;
  return {
    id: job.docId,
    status: job.status,
    fileName: job.fileName,
    pageCount: job.pageCount,
    pagesDone: job.pagesDone.length,
    options: job.options,
    ...(job.error ? { error: job.error } : {}),
    outputs: job.status === 'completed' ? Object.keys(job.outputs) : [],
    submittedAt: job.submittedAt,
    updatedAt: job.updatedAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
    links: { self, result: `${self}/result` },
  };
}
