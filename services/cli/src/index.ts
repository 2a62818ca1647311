export { buildProgram, runCli, PROGRAM_NAME } from './program.js';
export { createContext, cliSchema, type CliContext } from './context.js';
export { CliError, ExitCodes, exitCodeOf, type ExitCode } from './errors.js';
export { clusterStatus, type ClusterStatus, type StageStatus, type DeviceStatus, type ModelStatus } from './cluster-status.js';
