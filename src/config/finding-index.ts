/**
 * Which paths of a site file carry a finding at or below them. The
 * consistency checks ask this for every key they read, so the answer must
 * not scan the findings: a file with an error in each of 10,000 points would
 * otherwise take 10,000 × 10,000 steps. A tree of the findings' paths answers
 * in as many steps as the asked path has segments.
 */
import type { Finding } from './issues.ts';
import type { Path, PathSegment } from './paths.ts';

type Branch = Map<PathSegment, Branch>;

/** True when some finding lies at `path` or below it. */
export type FindingLookup = (path: Path) => boolean;

export function indexFindings(findings: Iterable<Finding>): FindingLookup {
  const root: Branch = new Map();
  let any = false;
  for (const { path } of findings) {
    any = true;
    let branch = root;
    for (const segment of path) {
      let next = branch.get(segment);
      if (next === undefined) {
        next = new Map();
        branch.set(segment, next);
      }
      branch = next;
    }
  }
  // A path reaches a branch only along some finding's path; the top level holds every finding.
  return (path) => {
    if (!any) return false;
    let branch: Branch | undefined = root;
    for (const segment of path) {
      branch = branch.get(segment);
      if (branch === undefined) return false;
    }
    return true;
  };
}
