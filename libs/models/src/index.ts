export { ModelError, ModelErrorCodes, type ModelErrorCode } from './errors.js';
export { Manifest, ManifestSchema, ModelSpecSchema, ModelFileSchema, sha256File, type ManifestData, type ModelSpec, type ModelFile, type ManifestOptions } from './manifest.js';
export { InferenceThread, RemoteSession, ThreadSessionFactory, type InferenceRunner } from './inference-thread.js';
export { withMaxOverLastAxis, type InferenceRunOptions } from './inference-wire.js';
export { OnnxSessionFactory, type SessionFactory, type OnnxSessionFactoryOptions } from './session-factory.js';
export { ModelManager, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PROVIDERS, type ModelManagerOptions, type ModelHandle } from './model-manager.js';
export { modelsSchema, providersOf, DEFAULT_MANIFEST_PATH, type ModelsConfig } from './config.js';
export { guardActionsFor, type RuntimeHooks } from './guard-actions.js';
export { createModelRuntime, type ModelRuntime, type ModelRuntimeOptions } from './model-runtime.js';
