import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OUTPUT_FORMATS, PaperlineError, type OutputFormat } from '@paperline/contracts';
import { ClientError, isClientError, parseTextOptions, type PaperlineClient } from '@paperline/client';
import { documentView } from '../document-view.js';
import { GatewayError, toHttpError } from '../errors.js';

export const DOCUMENTS_PATH = '/v1/documents';
/** The name a raw upload gets when the request names none. */
export const DEFAULT_FILE_NAME = 'document';
/** The multipart field that carries the document. */
export const FILE_FIELD = 'file';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

type Query = Record<string, string | undefined>;

interface Upload {
  bytes: Uint8Array;
  fileName: string;
  mediaType: string | undefined;
}

/** Reads the document from a multipart `file` field, or from the raw body. */
async function readUpload(request: FastifyRequest<{ Querystring: Query }>, maxFileBytes: number): Promise<Upload> {
  const fallbackName = request.query['filename'] || DEFAULT_FILE_NAME;
  if (request.isMultipart()) {
    const part = await request.file({ limits: { fileSize: maxFileBytes, files: 1 } });
    if (!part) throw new GatewayError('BAD_REQUEST', `the multipart body has no "${FILE_FIELD}" field`);
    if (part.fieldname !== FILE_FIELD) throw new GatewayError('BAD_REQUEST', `the document goes in the multipart field "${FILE_FIELD}", not "${part.fieldname}"`);
    return { bytes: await part.toBuffer(), fileName: part.filename || fallbackName, mediaType: part.mimetype };
  }
  const body = request.body;
  const mediaType = request.headers['content-type'];
  if (body === undefined || body === null) return { bytes: Buffer.alloc(0), fileName: fallbackName, mediaType };
  // a JSON body was parsed by fastify's own parser: it is not a document
  if (!Buffer.isBuffer(body)) throw new PaperlineError('UNSUPPORTED_MEDIA_TYPE', `${mediaType ?? 'this body'} is not a document: send a PDF or an image`);
  return { bytes: body, fileName: fallbackName, mediaType };
}

function parseFormat(value: string | undefined, fallback: OutputFormat): OutputFormat {
  if (value === undefined) return fallback;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new ClientError('INVALID_OPTION', `format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}"`);
  }
  return value as OutputFormat;
}

export function documentRoutes(app: FastifyInstance, client: PaperlineClient, maxFileBytes: number): void {
  app.post<{ Querystring: Query }>(DOCUMENTS_PATH, { bodyLimit: maxFileBytes }, async (request, reply) => {
    const options = parseTextOptions({
      pages: request.query['pages'],
      lang: request.query['lang'],
      format: request.query['format'],
      priority: request.query['priority'],
      features: request.query['features'],
    });
    const upload = await readUpload(request, maxFileBytes);
    const id = await client.submit(upload.bytes, { fileName: upload.fileName, mediaType: upload.mediaType, options });
    request.log.info({ docId: id, fileName: upload.fileName, bytes: upload.bytes.length }, 'document accepted');
    return reply.code(202).header('location', `${DOCUMENTS_PATH}/${id}`).send({ id, status: 'queued' });
  });

  app.get<{ Params: { id: string } }>(`${DOCUMENTS_PATH}/:id`, async (request) => {
    return documentView(await client.status(request.params.id), DOCUMENTS_PATH);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>(`${DOCUMENTS_PATH}/:id/result`, async (request, reply) => {
    const job = await client.status(request.params.id);
    const format = parseFormat(request.query['format'], job.options.outputFormats[0] ?? 'md');
    try {
      const content = await client.result(job.docId, format);
      return reply.code(200).header('content-type', CONTENT_TYPES[format]).send(Buffer.from(content));
    } catch (error) {
      // a document that is not done or failed answers with its status, so one call tells all
      if (!isClientError(error) || !error.job) throw error;
      const { status, body } = toHttpError(error);
      const failure = error.code === 'DOCUMENT_FAILED' && error.job.error ? { failure: error.job.error } : {};
      return reply.code(status).send({ error: { ...body.error, ...failure }, document: documentView(error.job, DOCUMENTS_PATH) });
    }
  });
}
