import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * Identifies this boot of the machine, so monotonic times saved in the database are known to be comparable.
 * Without /proc (not Linux) every process counts as a new boot, which only makes carried-over waits longer.
 */
export function bootId(): string {
  if (cached === undefined) {
    try {
      cached = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cached = `process-${randomUUID()}`;
    }
  }
  return cached;
}
