// Jest 30 + ts-jest over native ESM (docs/testing.md, "Toolchain facts that bite"): run with
// NODE_OPTIONS=--experimental-vm-modules; isolatedModules comes from tsconfig.json (ts-jest then
// transpiles file by file) and types are checked by `tsc --noEmit`, not here.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 60_000,
};
