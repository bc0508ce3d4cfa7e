// Reads vitest's JSON report(s) and prints the plain closing line CI reads: `N passed, N failed`.
// Usage: summarize-tests.mjs <report.json> <prior status> [<more reports.json>…] — the counts add
// up over every report (the Node 22 run's too); a missing report counts as one failure.
// Checks that failed before the tests (typecheck, lint, cycles) count as one failure each.
import { readFileSync, existsSync } from 'node:fs';

const [, , file, priorStatus, ...more] = process.argv;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const f of [file, ...more]) {
  if (f && existsSync(f)) {
    const report = JSON.parse(readFileSync(f, 'utf8'));
    passed += report.numPassedTests ?? 0;
    // Failed tests, plus files that failed without a failing test (an import error, a crashed worker).
    failed += (report.numFailedTests ?? 0) + countFilesFailedOutsideTests(report);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } else {
    failed += 1;
  }
}
if (priorStatus && priorStatus !== '0' && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

function countFilesFailedOutsideTests(report) {
  return (report.testResults ?? []).filter(
    (s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}
