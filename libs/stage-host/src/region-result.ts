// What a region stage (ocr, table, formula, chart) sends assemble for a RegionTask it finished.
import { MsgIds, RegionResultSchema, SCHEMA_VERSION, Subjects, encode, type Block, type RegionResult, type RegionTask } from '@paperline/contracts';
import type { Output } from '@paperline/stage';

/** The region's blocks (and the regions it routed on, which the page also waits for) to assemble, on the task's priority. */
export function regionResultOutput(task: RegionTask, stage: RegionResult['stage'], blocks: Block[], pendingRegions?: RegionResult['pendingRegions']): Output {
  const result: RegionResult = { v: SCHEMA_VERSION, type: 'region', docId: task.docId, page: task.page, regionId: task.regionId, stage, blocks, ...(pendingRegions ? { pendingRegions } : {}) };
  return { subject: Subjects.work('assemble', task.options.priority), msgId: MsgIds.regionResult(task.docId, task.page, task.regionId, stage), data: encode(RegionResultSchema, result) };
}
