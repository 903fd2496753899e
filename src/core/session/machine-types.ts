// The small types at the session machine's boundary: clocks in, outputs out.
import type { Session } from '../types';
import type { SessionSnapshot } from './finish';

/** Wall-clock and monotonic time of an input, ms. */
export interface Now {
  wallMs: number;
  monoMs: number;
}

/** What the machine needs from outside: a random suffix for new ids and the id of this process run. */
export interface MachineDeps {
  randomSuffix(): string;
  bootId: string;
}

/** An output of the machine: a session event, with the finished Session on 'finished' and the record on 'unattributed'. */
export interface MachineOutput {
  type: 'started' | 'finished' | 'unattributed';
  /** The open session ('started', 'finished'); absent on 'unattributed'. */
  snapshot?: SessionSnapshot;
  session?: Session;
}

/** Result of offering a reading to the machine. */
export type ReadingVerdict = 'accepted' | 'stale' | 'no_register';
