/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/subgraphs/**/*.test.ts', '<rootDir>/lib/**/*.test.ts'],
  testTimeout: 60000,
  // Each suite opens its own embedded PostgreSQL instances; two workers fit two cores.
  maxWorkers: 2,
};
