// Prints "N passed, N failed" from a vitest JSON report so CI can count the tests that ran.
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A test file that fails before any test runs (an import error, a failing beforeAll) has no failed test of its
// own: count it as one failure, so the line never says 0 failed while the run failed.
const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed` + (skipped ? `, ${skipped} skipped` : ''));
