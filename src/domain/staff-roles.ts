/**
 * What a member of staff may do at the locker, decided by the roles the office's feed gives them
 * (contracts.md §5.2 `staff.roles`). Unknown roles grant nothing, so a typo at the office cannot widen anyone's
 * rights; a member with no granting role can log in but do nothing.
 *
 * | role         | load | take back | report a faulty compartment |
 * |--------------|------|-----------|-----------------------------|
 * | `loader`     | yes  | yes       | yes                         |
 * | `retriever`  | no   | yes       | yes                         |
 * | `supervisor` | yes  | yes       | yes                         |
 *
 * A `retriever` is for a clerk who only clears expired or revoked documents; loading (choosing which document
 * goes where) is a `loader`'s job.
 */
export type StaffAction = 'load' | 'retrieve' | 'report-fault';

const grants: Record<string, readonly StaffAction[]> = {
  loader: ['load', 'retrieve', 'report-fault'],
  retriever: ['retrieve', 'report-fault'],
  supervisor: ['load', 'retrieve', 'report-fault'],
};

export function mayDo(roles: readonly string[], action: StaffAction): boolean {
  return roles.some((r) => Object.hasOwn(grants, r) && grants[r]!.includes(action));
}

/** Roles as stored (a JSON array); anything else grants nothing. */
export function parseRoles(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
