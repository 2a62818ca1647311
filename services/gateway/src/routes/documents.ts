import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OUTPUT_FORMATS, PaperlineError, isPaperlineError, safeFileName, type JobRecord, type OutputFormat } from '@paperline/contracts';
import { ClientError, isClientError, parseTextOptions, type PaperlineClient } from '@paperline/client';
import { documentView } from '../document-view.js';
import { GatewayError, toHttpError } from '../errors.js';
import type { UploadSlots } from '../upload-slots.js';

export const DOCUMENTS_PATH = '/v1/documents';
/** The name a raw upload gets when the request names none. */
export const DEFAULT_FILE_NAME = 'document';
/** The multipart field that carries the document. */
export const FILE_FIELD = 'file';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

type Query = Record<string, string | string[] | undefined>;

interface Upload {
  body: AsyncIterable<Uint8Array>;
  fileName: string;
  mediaType: string | undefined;
}

export interface DocumentRoutesDeps {
  client: PaperlineClient;
  maxFileBytes: number;
  slots: UploadSlots;
}

/** One value of a query parameter; a repeated one is a 400, not a guess. */
function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new GatewayError('BAD_REQUEST', `the query parameter "${name}" is given ${value.length} times`);
  return value;
}

/**
 * The body's bytes as they arrive. A failure while reading is the sender's (a malformed or cut
 * multipart body, an aborted upload): 400, or 413 past the size limit; never a 500.
 */
async function* readBody(body: AsyncIterable<Uint8Array>, truncated: () => boolean = () => false): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    if (isPaperlineError(error) || error instanceof GatewayError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new PaperlineError('FILE_TOO_LARGE', 'the upload is larger than allowed', { cause: error });
    throw new GatewayError('BAD_REQUEST', `the body could not be read: ${(error as Error).message}`);
  }
  // multipart cuts a file at its size limit and ends the stream: that is a refusal, not the file
  if (truncated()) throw new PaperlineError('FILE_TOO_LARGE', 'the upload is larger than allowed');
}

/** Reads the document from a multipart `file` field, or from the raw body, as a stream. */
async function openUpload(request: FastifyRequest<{ Querystring: Query }>, maxFileBytes: number): Promise<Upload> {
  const fallbackName = queryValue(request.query, 'filename') || DEFAULT_FILE_NAME;
  const declared = Number(request.headers['content-length']);
  // a body announced too large is refused before a byte of it is read
  if (Number.isFinite(declared) && declared > maxFileBytes + 64 * 1024) {
    throw new PaperlineError('FILE_TOO_LARGE', `the body is ${declared} bytes, the limit is ${maxFileBytes}`);
  }
  if (request.isMultipart()) {
    let part;
    try {
      part = await request.file();
    } catch (error) {
      throw new GatewayError('BAD_REQUEST', `the multipart body is malformed: ${(error as Error).message}`);
    }
    if (!part) throw new GatewayError('BAD_REQUEST', `the multipart body has no "${FILE_FIELD}" field`);
    if (part.fieldname !== FILE_FIELD) {
      part.file.resume();
      throw new GatewayError('BAD_REQUEST', `the document goes in the multipart field "${FILE_FIELD}", not "${part.fieldname}"`);
    }
    const file = part.file;
    return { body: readBody(file, () => file.truncated), fileName: safeFileName(part.filename || fallbackName), mediaType: part.mimetype };
  }
  const body = request.body as Readable | undefined;
  const mediaType = request.headers['content-type'];
  return { body: readBody(body ?? emptyBody()), fileName: safeFileName(fallbackName), mediaType };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // a request without a body has no bytes
}

function parseFormat(value: string | undefined, fallback: OutputFormat): OutputFormat {
  if (value === undefined) return fallback;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new ClientError('INVALID_OPTION', `format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}"`);
  }
  return value as OutputFormat;
}

/** The job of a document the request may see: another key's document is as unknown as a missing one. */
async function ownJob(client: PaperlineClient, request: FastifyRequest, docId: string): Promise<JobRecord> {
  const job = await client.status(docId);
  const keyId = request.principal.keyId;
  if (keyId !== undefined && job.owner !== keyId) throw new ClientError('DOCUMENT_NOT_FOUND', docId);
  return job;
}

export function documentRoutes(app: FastifyInstance, deps: DocumentRoutesDeps): void {
  const { client, maxFileBytes, slots } = deps;
  app.post<{ Querystring: Query }>(DOCUMENTS_PATH, async (request, reply) => {
    const keyId = request.principal.keyId;
    const release = slots.take(keyId ?? `address:${request.ip}`);
    try {
      const options = parseTextOptions({
        pages: queryValue(request.query, 'pages'),
        lang: queryValue(request.query, 'lang'),
        format: queryValue(request.query, 'format'),
        priority: queryValue(request.query, 'priority'),
        features: queryValue(request.query, 'features'),
      });
      const upload = await openUpload(request, maxFileBytes);
      const id = await client.submit(upload.body, { fileName: upload.fileName, mediaType: upload.mediaType, options, ...(keyId === undefined ? {} : { owner: keyId }) });
      request.log.info({ docId: id, fileName: upload.fileName, keyId }, 'document accepted');
      return await reply.code(202).header('location', `${DOCUMENTS_PATH}/${id}`).send({ id, status: 'queued' });
    } finally {
      release();
    }
  });

  app.get<{ Params: { id: string } }>(`${DOCUMENTS_PATH}/:id`, async (request) => {
    return documentView(await ownJob(client, request, request.params.id), DOCUMENTS_PATH);
  });

  app.delete<{ Params: { id: string } }>(`${DOCUMENTS_PATH}/:id`, async (request) => {
    await ownJob(client, request, request.params.id);
    const report = await client.cancel(request.params.id);
    if (report.job.status !== 'cancelled') throw new GatewayError('DOCUMENT_FINISHED', `${report.job.docId} is ${report.job.status}`);
    return documentView(report.job, DOCUMENTS_PATH);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>(`${DOCUMENTS_PATH}/:id/result`, async (request, reply) => {
    const job = await ownJob(client, request, request.params.id);
    const format = parseFormat(queryValue(request.query, 'format'), job.options.outputFormats[0] ?? 'md');
    try {
      const content = await client.result(job.docId, format);
      return await reply.code(200).header('content-type', CONTENT_TYPES[format]).send(Buffer.from(content));
    } catch (error) {
      // a document that is not done or failed answers with its status, so one call tells all
      if (!isClientError(error) || !error.job) throw error;
      const { status, body } = toHttpError(error);
      const failure = error.code === 'DOCUMENT_FAILED' && error.job.error ? { failure: error.job.error } : {};
      return reply.code(status).send({ error: { ...body.error, ...failure }, document: documentView(error.job, DOCUMENTS_PATH) });
    }
  });
}
