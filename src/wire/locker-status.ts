import { z } from 'zod';

/**
 * The locker's `locker.status` event (an addition to the table of contracts.md §5.3): which boards answer and
 * how many compartments are in each state, so the office can show it without asking. Queued when it changes
 * and otherwise every 15 minutes (src/service/status-report.ts); the office keeps the newest per locker.
 */
export const lockerStatusType = 'locker.status';

const count = z.number().int().min(0).max(100_000);

export const compartmentCountsSchema = z.object({ free: count, occupied: count, open: count, reserved: count, fault: count, disabled: count });

export const lockerStatusSchema = z.object({
  boards: z.array(z.object({ address: z.number().int().min(0).max(255), online: z.boolean() })).max(256),
  compartments: compartmentCountsSchema,
});

export type LockerStatus = z.output<typeof lockerStatusSchema>;
export type CompartmentCounts = z.output<typeof compartmentCountsSchema>;
