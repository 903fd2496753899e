import { defineConfig } from 'vitest/config';

// Node tests share one Node-RED runtime per file (a process-wide singleton), so keep the
// default `forks` pool and never run those files' tests concurrently.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30000,
    hookTimeout: 30000,
  },
});
