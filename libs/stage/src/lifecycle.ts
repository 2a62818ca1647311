import type { Logger } from '@paperline/telemetry';
import { StageError } from './errors.js';
import { StageStates, type StageState } from './types.js';

const S = StageStates;

/** starting -> ready <-> paused -> draining -> stopped; any live state may fail. */
const ALLOWED: Readonly<Record<StageState, readonly StageState[]>> = {
  [S.STARTING]: [S.READY, S.PAUSED, S.DRAINING, S.FAILED],
  [S.READY]: [S.PAUSED, S.DRAINING, S.FAILED],
  [S.PAUSED]: [S.READY, S.DRAINING, S.FAILED],
  [S.DRAINING]: [S.STOPPED, S.FAILED],
  [S.STOPPED]: [],
  [S.FAILED]: [],
};

export type StateListener = (state: StageState, previous: StageState) => void;

/** The explicit state machine of one runtime: every transition is logged, an illegal one throws. */
export class Lifecycle {
  private current: StageState = S.STARTING;
  private readonly listeners = new Set<StateListener>();

  constructor(private readonly log: Logger) {}

  get state(): StageState {
    return this.current;
  }

  canMove(to: StageState): boolean {
    return ALLOWED[this.current].includes(to);
  }

  move(to: StageState, reason: string): void {
    const from = this.current;
    if (!this.canMove(to)) throw new StageError('ILLEGAL_TRANSITION', `${from} -> ${to} (${reason})`);
    this.current = to;
    this.log.info({ from, to, reason }, 'stage state');
    for (const listener of this.listeners) {
      try {
        listener(to, from);
      } catch (error) {
        this.log.warn({ err: error }, 'state listener failed');
      }
    }
  }

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
