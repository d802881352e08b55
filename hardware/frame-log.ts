export interface FrameLogEntry {
  /** Wall time, ms. */
  readonly at: number;
  readonly dir: 'tx' | 'rx' | 'discard';
  readonly hex: string;
  readonly note?: string;
}

/** The last frames on the bus in both directions, for `urzedomat diag bus log`. Fixed size: memory stays flat. */
export class FrameLog {
  private readonly entries: FrameLogEntry[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(at: number, dir: FrameLogEntry['dir'], bytes: Uint8Array, note?: string): void {
    const hex = Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    const e: FrameLogEntry = note === undefined ? { at, dir, hex } : { at, dir, hex, note };
    if (this.entries.length < this.size) this.entries.push(e);
    else this.entries[this.next] = e;
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first. */
  recent(): FrameLogEntry[] {
    return this.entries.length < this.size ? [...this.entries] : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }
}
