export { startLocalPipeline, LOCAL_STAGES, type LocalPipeline, type LocalPipelineOptions } from './pipeline.js';
export { runSupervisor, RECYCLE_EXIT_CODE, type SupervisorOptions } from './supervisor.js';
export { stageCommand } from './stage-process.js';
