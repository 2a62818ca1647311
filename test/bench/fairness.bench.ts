// npm run bench:fairness [-- --pages 2000] [-- --delay-ms 20000] [-- --repeats 1]
// Issue 13's fairness figures at full size, on the embedded pipeline: a one-page image's time to
// completion alone, and when submitted --delay-ms after a blank PDF of --pages pages, at normal
// and at high priority, with the ratios to its time alone (targets: 3x and 1.5x). Since the PDF
// may be done within those 20 s, a second round submits the image as soon as the PDF's first
// page is done, in the thick of it.
import { PaperlineClient } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { textImage } from '@paperline/testing';
import { startLocalPipeline } from '../../services/cli/src/local/index.js';
import { measureFairness } from '../fairness/scenario.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const blankPages = argument('--pages', 2000);
const delayMs = argument('--delay-ms', 20_000);
const repeats = argument('--repeats', 1);
const pipeline = await startLocalPipeline({ log: silentLogger(), overrides: { render: { maxPages: Math.max(2000, blankPages) } } });
const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
console.log(`paperline bench:fairness  blank PDF of ${blankPages} pages  node ${process.version}`);
// a page of text, as a scanned page: seconds of OCR alone, like the images (4-6 s)
const image = await textImage(Array.from({ length: 16 }, (_, i) => `Line ${i + 1} of a fair share of the pipeline, invoice 47${i}`));
for (const delay of [delayMs, undefined]) {
  console.log(delay === undefined ? 'image submitted once the PDF\'s first page is done:' : `image submitted ${delay / 1000} s after the PDF:`);
  const { aloneSeconds, behindNormal, behindHigh } = await measureFairness(client, { blankPages, image, repeats, ...(delay === undefined ? {} : { delayMs: delay }) });
  console.log(`  image alone                 ${aloneSeconds.toFixed(2)} s (median of the runs paired with those below)`);
  for (const [name, behind, target] of [
    ['behind the PDF, normal', behindNormal, 3],
    ['behind the PDF, high', behindHigh, 1.5],
  ] as const) {
    const ratio = behind.ratio;
    const long = behind.long;
    const longSeconds = (Date.parse(long.completedAt ?? long.updatedAt) - Date.parse(long.submittedAt)) / 1000;
    console.log(
      `  image ${name.padEnd(23)}${behind.seconds.toFixed(2)} s  ${ratio.toFixed(2)}x its run alone just before (${behind.aloneSeconds.toFixed(2)} s; target <= ${target}x)  ` +
        `PDF pages done at the image's submit ${behind.pagesDoneAtSubmit}, at its completion ${behind.pagesDoneAtCompletion}; the PDF took ${longSeconds.toFixed(1)} s`,
    );
  }
}
await client.close();
await pipeline.close();
process.exit(0);
