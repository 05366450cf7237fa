const Sequencer = require('@jest/test-sequencer').default;

// Jest's own order (the slowest and last failed first, once it has timed them), except that
// the console's browser checks, by far the longest file, start first even on a machine that
// has never run them, and the tests that time pages on this machine (Lighthouse) go last:
// they wait for the rest to finish and then run alone.
const LONGEST = /console\.browser\.test\.ts$/;
const TIMES_PAGES = /lighthouse\.test\.ts$/;

class RunOrder extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const rank = (test) => (LONGEST.test(test.path) ? 0 : TIMES_PAGES.test(test.path) ? 2 : 1);
    // Array.prototype.sort is stable: within a rank, jest's order stays.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = RunOrder;
