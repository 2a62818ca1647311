import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { ASSET_LINK_PREFIX, STAGES, type OutputFormat } from '@paperline/contracts';
import { isClientError, type PaperlineClient } from '@paperline/client';
import { clusterStatus } from '../cluster-status.js';
import { connectClient, writeLine, type CliContext } from '../context.js';
import { addDocumentOptions, documentOptions, type DocumentFlags } from '../document-options.js';
import { CliError, ExitCodes } from '../errors.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { describeFailure } from './result.js';

interface ParseFlags extends DocumentFlags {
  output: string;
}

export const DEFAULT_OUTPUT_FORMAT: OutputFormat = 'md';

/** `paper.pdf` -> `paper.md`; inputs that share a stem keep their extension (`a.pdf.md`, `a.png.md`). */
export function outputNames(files: string[], format: OutputFormat): string[] {
  const stems = files.map((f) => basename(f, extname(f)));
  return files.map((file, i) => {
    const stem = stems[i] ?? basename(file);
    const clash = stems.filter((s) => s === stem).length > 1;
    return `${clash ? basename(file) : stem}.${format}`;
  });
}

type Outcome = { ok: true } | { ok: false; reason: string };

async function parseOne(client: PaperlineClient, file: string, outPath: string, flags: ParseFlags, ctx: CliContext, progress: ProgressReporter, index: number, submitted: Promise<string>): Promise<Outcome> {
  try {
    const docId = await submitted;
    const job = await client.wait(docId, { signal: ctx.signal, onProgress: (j) => progress.update(index, j) });
    if (job.status === 'failed') {
      const reason = job.error ? `${job.error.code}: ${job.error.reason}` : describeFailure(docId, job);
      progress.failed(index, reason);
      return { ok: false, reason };
    }
    if (job.status === 'cancelled') {
      progress.failed(index, 'cancelled');
      return { ok: false, reason: 'cancelled' };
    }
    const result = await client.result(docId, flags.format ?? DEFAULT_OUTPUT_FORMAT);
    const assets = await client.assets(docId);
    if (assets.length === 0) {
      await writeFile(outPath, result);
    } else {
      // images go beside the output, in <name>.assets/, and the links follow them there
      const assetDir = `${outPath.replace(/\.(md|json)$/, '')}.assets`;
      await mkdir(assetDir, { recursive: true });
      for (const asset of assets) await writeFile(join(assetDir, asset.name), asset.data);
      const text = new TextDecoder().decode(result);
      const relinked = (flags.format ?? DEFAULT_OUTPUT_FORMAT) === 'json' ? text.replaceAll(`"${ASSET_LINK_PREFIX}`, `"${basename(assetDir)}/`) : text.replaceAll(`](${ASSET_LINK_PREFIX}`, `](${basename(assetDir)}/`);
      await writeFile(outPath, relinked);
    }
    progress.done(index, outPath);
    return { ok: true };
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
    const reason = isClientError(error) || error instanceof Error ? error.message : String(error);
    progress.failed(index, reason);
    ctx.log.debug({ file, err: error }, 'parse failed');
    return { ok: false, reason };
  }
}

/** The backend each stage's instances run with, from their presence beats: `render=pdfjs+sharp layout=text-layer ...`. */
async function describeBackends(client: PaperlineClient): Promise<string> {
  const { stages } = await clusterStatus(client.bus);
  return STAGES.map((stage) => `${stage}=${stages[stage].backends.join('|') || stages[stage].state}`).join(' ');
}

export function parseCommand(ctx: CliContext): Command {
  const command = new Command('parse')
    .summary('parse documents into Markdown or JSON files')
    .description('parse documents into Markdown or JSON files; without NATS_URL every stage runs in this process on an embedded nats-server')
    .argument('<files...>', 'PDFs or images (PNG, JPEG, WebP, TIFF)')
    .option('-o, --output <dir>', 'directory to write <name>.md or <name>.json into', '.');
  return addDocumentOptions(command, `what to write (default: ${DEFAULT_OUTPUT_FORMAT})`).action(async (files: string[], flags: ParseFlags) => {
    const format = flags.format ?? DEFAULT_OUTPUT_FORMAT;
    const options = documentOptions({ ...flags, format });
    await mkdir(flags.output, { recursive: true });
    const names = outputNames(files, format);

    const url = ctx.natsUrl();
    // loaded only when needed: the stages pull in pdfjs, sharp and onnxruntime
    const pipeline = url ? undefined : await (await import('../local/index.js')).startLocalPipeline({ log: ctx.log });
    let client: PaperlineClient | undefined;
    let progress: ProgressReporter | undefined;
    try {
      client = await connectClient(ctx, url || pipeline?.url);
      const active = client;
      const shown = createProgress(ctx.stderr, files.map((f) => basename(f)));
      progress = shown;
      // submits go one after another (each reads its file into memory); the waits overlap
      let queue: Promise<unknown> = Promise.resolve();
      const outcomes = await Promise.all(
        files.map((file, index) => {
          const submitted = queue.then(() => active.submit(file, { options }));
          queue = submitted.catch(() => undefined);
          return parseOne(active, file, join(flags.output, names[index] ?? `${index}.${format}`), flags, ctx, shown, index, submitted);
        }),
      );
      progress = undefined;
      shown.stop();
      const failed = outcomes.map((o, i) => ({ o, file: files[i] })).filter((x) => !x.o.ok);
      for (const [i, o] of outcomes.entries()) if (o.ok) writeLine(ctx.stdout, join(flags.output, names[i] ?? ''));
      writeLine(ctx.stderr, `paperline: backends: ${await describeBackends(active)}`);
      if (failed.length > 0) {
        for (const { o, file } of failed) writeLine(ctx.stderr, `paperline: ${file}: ${o.ok ? '' : o.reason}`);
        throw new CliError(`${failed.length} of ${files.length} documents failed`, ExitCodes.FAILED);
      }
    } finally {
      // on an interrupt too: the terminal gets its cursor back
      progress?.stop();
      await client?.close();
      await pipeline?.close();
    }
  });
}
