/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Transpile only: `npm run typecheck` (tsc --noEmit) checks types once for the whole tree.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/subgraphs/**/*.test.ts', '<rootDir>/lib/**/*.test.ts'],
  testTimeout: 60000,
  // Each suite opens its own embedded PostgreSQL instances; two workers fit two cores.
  maxWorkers: 2,
};
