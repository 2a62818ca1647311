// npm run bench:layout [-- --pipeline DIR --commit REF] [-- --save FILE] [-- --baseline FILE] [-- --out FILE] [-- --only TEXT]
// Layout, table and formula quality on the 18 pages of ../shared/corpus/omnidocbench-demo with
// OmniDocBench_demo.json as the truth (mapping and metrics: test/eval/omnidocbench.ts and
// layout-score.ts), through the embedded pipeline with its default backends. Prints per-class
// precision and recall at IoU 0.5, table TEDS (structure only, and with content) and the formula
// LaTeX's normalised edit distance, beside the figures of the output before issue 10
// (test/bench/layout-baseline.json, measured with --pipeline on a worktree of that commit).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PaperlineClient } from '@paperline/client';
import { ParsedDocumentSchema } from '@paperline/contracts';
import { silentLogger } from '@paperline/telemetry';
import type * as LocalPipelineModule from '../../services/cli/src/local/index.js';
import { loadTruth } from '../eval/omnidocbench.js';
import { formatFigures, scoreLayout, type LayoutFigures, type PredictedPage } from '../eval/layout-score.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
const demo = join(corpus, 'omnidocbench-demo');
if (!existsSync(join(demo, 'OmniDocBench_demo.json'))) {
  console.error(`no OmniDocBench demo at ${demo} (set PL_CORPUS)`);
  process.exit(2);
}
// another checkout's pipeline (its own node_modules), e.g. a worktree of the commit before issue 10
const repo = resolve(arg('pipeline') ?? join(import.meta.dirname, '../..'));
const commit = arg('commit') ?? 'this tree';
const baselinePath = arg('baseline') ?? join(import.meta.dirname, 'layout-baseline.json');

const { startLocalPipeline } = (await import(join(repo, 'services/cli/src/local/index.ts'))) as typeof LocalPipelineModule;
const pipeline = await startLocalPipeline({ log: silentLogger() });
const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
const truth = loadTruth(join(demo, 'OmniDocBench_demo.json'));
const only = arg('only');
const images = readdirSync(join(demo, 'images'))
  .filter((f) => !only || f.includes(only))
  .sort();
const started = performance.now();
const predicted: PredictedPage[] = [];
for (const image of images) {
  const docId = await client.submit(join(demo, 'images', image));
  const job = await client.wait(docId, { timeoutMs: 30 * 60_000 });
  if (job.status !== 'completed') {
    console.error(`${image}: ${job.error?.code} ${job.error?.reason}`);
    continue;
  }
  const doc = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
  const page = doc.pages[0]!;
  predicted.push({ image: basename(image), width: page.width, height: page.height, blocks: page.blocks });
}
const seconds = (performance.now() - started) / 1000;
await client.close();
await pipeline.close();

// --out keeps the predicted pages, to rescore or inspect without another run
const out = arg('out');
if (out) writeFileSync(out, JSON.stringify(predicted));
const figures = scoreLayout(only ? truth.filter((t) => images.includes(t.image)) : truth, predicted);
console.log(`paperline bench:layout  ${predicted.length}/${images.length} pages of ${demo}  pipeline ${repo} (${commit})  ${seconds.toFixed(0)} s`);
const saved = arg('save');
if (saved) writeFileSync(saved, JSON.stringify({ commit, figures }, null, 2) + '\n');
const baseline = existsSync(baselinePath) ? (JSON.parse(readFileSync(baselinePath, 'utf8')) as { commit: string; figures: LayoutFigures }) : undefined;
console.log(formatFigures(figures, commit, baseline && !saved ? { figures: baseline.figures, label: `before: ${baseline.commit}` } : undefined));
// a benchmark ends when it has printed: a library handle left open must not keep it waiting
process.exit(0);
