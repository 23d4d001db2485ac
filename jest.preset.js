// Shared Jest settings: TypeScript through swc (no type checking here; `typecheck` does that),
// and workspace libraries resolved to their sources so tests never need a prior build.
const path = require('node:path');

const root = __dirname;

/** @param {string} projectDir @param {Partial<import('jest').Config>} overrides */
function createJestConfig(projectDir, overrides = {}) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: {
      '^@claudine/(core|git|proto|store|observability|testing|mcp)$': path.join(root, 'libs/$1/src/index.ts'),
    },
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    testTimeout: 30_000,
    ...overrides,
  };
}

module.exports = { createJestConfig };
