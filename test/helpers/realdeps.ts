import { spawnSync } from 'node:child_process';

/** True when running in CI, where a missing real dependency must fail, never skip. */
export const IN_CI = process.env.CI === 'true';

/** Whether an executable is on PATH. */
export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Decide whether a suite that needs a real binary (socat, mosquitto, openssl) can run.
 * Locally a missing binary skips the suite (returns false); with CI=true it throws,
 * so the run fails instead of silently skipping.
 */
export function needBinary(name: string): boolean {
  if (hasBinary(name)) return true;
  if (IN_CI) throw new Error(`${name} is required in CI but is not installed (see .ci/run)`);
  return false;
}
