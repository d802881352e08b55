import type { Clock } from '../../src/clock.js';

/** A clock that moves only when a test says so: timers fire in order as time is advanced. */
export class ManualClock implements Clock {
  private mono = 0;
  private wall: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];

  constructor(wallStartMs = Date.parse('2026-11-25T10:00:00Z')) {
    this.wall = wallStartMs;
  }

  wallMs(): number {
    return this.wall;
  }

  monoMs(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(t);
    return t;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Moves both clocks forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.wall += due.at - this.mono;
      this.mono = due.at;
      due.fn();
    }
    this.wall += end - this.mono;
    this.mono = end;
  }

  /** Sets the wall clock alone, as a dead RTC battery, a bad NTP answer or a person with `date -s` would. */
  setWall(ms: number): void {
    this.wall = ms;
  }
}
