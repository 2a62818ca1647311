export { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions, type PipelineOverrides } from './pipeline.js';
export { runSupervisor, RECYCLE_EXIT_CODE, type SupervisorOptions } from './supervisor.js';
export { serviceCommand, stageCommand } from './stage-process.js';
export { STAGE_MODULES, MODULE_STAGES, isModuleStage, loadStageModule, type ModuleStage } from './stage-modules.js';
