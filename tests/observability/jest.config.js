const { createJestConfig } = require('../../jest.preset');

// The suite starts a cluster and a Prometheus, and waits for scrapes: each wait has its own
// deadline below this, which only catches a wait nobody bounded.
module.exports = createJestConfig(__dirname, { testTimeout: 120_000 });
