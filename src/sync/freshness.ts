/**
 * Whether the locker still hears from its office (contracts.md §5.3): the age of the last feed batch that
 * verified and of the last acknowledgement that verified. An old one is reported (diag status, selftest, the
 * health note, an alarm) and never stops anything: the locker works offline by design.
 */

export interface FreshnessLimits {
  /** A feed whose last verified batch is older than this is stale (default 3 × the pull interval). */
  readonly maxFeedAgeMs: number;
  /** Events waiting this long without a verified acknowledgement are stale (default 3 × the pull interval). */
  readonly maxAckAgeMs: number;
}

export interface FreshnessInputs {
  readonly nowMono: number;
  /** When the sync started: the baseline before any batch or acknowledgement arrived. */
  readonly startedMono: number;
  readonly lastPullOkMono: number | undefined;
  readonly lastAckOkMono: number | undefined;
  /** Since when unacknowledged events have been waiting for a verified acknowledgement; undefined when none wait. */
  readonly ackDueSinceMono: number | undefined;
}

export interface Freshness {
  /** Seconds since the last verified batch; null before the first. */
  readonly feedAgeS: number | null;
  /** Seconds since the last verified acknowledgement; null before the first. */
  readonly ackAgeS: number | null;
  readonly feedStale: boolean;
  readonly ackStale: boolean;
  /** One line per problem, for people: empty when fresh. */
  readonly problems: readonly string[];
}

export function freshness(i: FreshnessInputs, l: FreshnessLimits): Freshness {
  const age = (t: number | undefined): number | null => (t === undefined ? null : Math.round((i.nowMono - t) / 1000));
  const feedSince = i.lastPullOkMono ?? i.startedMono;
  const feedStale = i.nowMono - feedSince > l.maxFeedAgeMs;
  const ackStale = i.ackDueSinceMono !== undefined && i.nowMono - i.ackDueSinceMono > l.maxAckAgeMs;
  const problems: string[] = [];
  if (feedStale) {
    problems.push(i.lastPullOkMono === undefined
      ? `no verified feed batch since start (${Math.round((i.nowMono - feedSince) / 1000)} s)`
      : `last verified feed batch ${Math.round((i.nowMono - feedSince) / 1000)} s ago (limit ${Math.round(l.maxFeedAgeMs / 1000)} s)`);
  }
  if (ackStale) {
    problems.push(`events waiting ${Math.round((i.nowMono - i.ackDueSinceMono!) / 1000)} s without a verified acknowledgement (limit ${Math.round(l.maxAckAgeMs / 1000)} s)`);
  }
  return { feedAgeS: age(i.lastPullOkMono), ackAgeS: age(i.lastAckOkMono), feedStale, ackStale, problems };
}
