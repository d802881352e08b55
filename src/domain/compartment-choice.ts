export type Size = 'S' | 'M' | 'L';

const rank: Record<Size, number> = { S: 0, M: 1, L: 2 };

export interface Candidate {
  readonly id: number;
  readonly size: Size;
  /** Reachable from a wheelchair. */
  readonly low: boolean;
}

/**
 * Picks a free compartment for a document: one it fits in, the smallest such, so big compartments stay free
 * for big documents. An `accessible` authorization gets a low compartment or none; the others take low ones
 * last, so those stay free for the people who need them.
 */
export function chooseCompartment(free: readonly Candidate[], size: Size, accessible: boolean): number | undefined {
  const fitting = free.filter((c) => rank[c.size] >= rank[size] && (!accessible || c.low));
  fitting.sort((a, b) => rank[a.size] - rank[b.size] || Number(a.low) - Number(b.low) || a.id - b.id);
  return fitting[0]?.id;
}
