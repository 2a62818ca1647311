// Wires the MemoryGuard's actions to a ModelManager (unloading) and to the process's runtime
// (suspend, resume, recycle), so the guard itself knows neither.
import type { GuardActions } from '@paperline/memory';
import type { ModelManager } from './model-manager.js';

export interface RuntimeHooks {
  /** Stop fetching (StageRuntime.suspend). */
  suspend(reason: string): Promise<void> | void;
  resume(): Promise<void> | void;
  /** Drain and exit 75. */
  recycle(reason: string): Promise<void> | void;
}

export function guardActionsFor<S>(manager: ModelManager<S>, hooks: RuntimeHooks): GuardActions {
  return {
    suspend: (reason) => hooks.suspend(reason),
    resume: () => hooks.resume(),
    unloadIdle: () => manager.unloadIdle(),
    unloadAll: () => manager.unloadAll('memory emergency'),
    recycle: (reason) => hooks.recycle(reason),
  };
}
