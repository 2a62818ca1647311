import { Command } from 'commander';
import { connectClient, writeLine, type CliContext } from '../context.js';
import { addDocumentOptions, documentOptions, type DocumentFlags } from '../document-options.js';

export function submitCommand(ctx: CliContext): Command {
  const command = new Command('submit')
    .summary('submit a document and print its id')
    .description('submit a document to the cluster of NATS_URL and print its id (last line)')
    .argument('<file>', 'a PDF or an image (PNG, JPEG, WebP, TIFF)');
  return addDocumentOptions(command, 'the output format to produce (default: md and json)').action(async (file: string, flags: DocumentFlags) => {
    const options = documentOptions(flags);
    const client = await connectClient(ctx);
    try {
      writeLine(ctx.stdout, await client.submit(file, { options }));
    } finally {
      await client.close();
    }
  });
}
