const path = require('node:path');
const { createJestConfig } = require('../../jest.preset');

// Every test starts real processes in network namespaces and waits out lock expiries: each sets
// its own deadlines below this, which only catches a wait nobody bounded. The global setup
// guards Jest's own process, so the namespaces go even when the run is interrupted.
module.exports = createJestConfig(__dirname, {
  testTimeout: 120_000,
  globalSetup: path.join(__dirname, 'test/support/global-setup.ts'),
});
