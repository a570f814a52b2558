/**
 * A tool or privilege a suite needs. When it is missing the suite is not run,
 * and a failing test says what is missing: in CI a proof that could not run
 * must fail the run, never pass it by skipping.
 */
import { test } from 'node:test';

/** For `describe(name, { skip: requiredTool(...) })`: false when present; else the reason, with a failing test that names it. */
export function requiredTool(missing: string | false): string | false {
  if (missing === false) return false;
  test(`needs ${missing}`, () => {
    throw new Error(`${missing}; scripts/setup.sh installs what the suite needs`);
  });
  return missing;
}
