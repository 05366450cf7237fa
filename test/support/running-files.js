const { rmSync, writeFileSync } = require('node:fs');

// A reporter that keeps, in the file global setup names (GS_TEST_RUNNING_FILES), the test
// files running at this moment in any worker: the Lighthouse test, which times pages on this
// machine, waits until it is the only one left.
class RunningFiles {
  constructor() {
    this.running = new Set();
  }

  write() {
    const file = process.env.GS_TEST_RUNNING_FILES;
    if (file) writeFileSync(file, JSON.stringify([...this.running]));
  }

  onTestFileStart(test) {
    this.running.add(test.path);
    this.write();
  }

  onTestFileResult(test) {
    this.running.delete(test.path);
    this.write();
  }

  onRunComplete() {
    const file = process.env.GS_TEST_RUNNING_FILES;
    if (file) rmSync(file, { force: true });
  }
}

module.exports = RunningFiles;
