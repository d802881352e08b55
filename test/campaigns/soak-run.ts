/**
 * One soak in a process of its own (`node --expose-gc --import tsx test/campaigns/soak-run.ts <operations>`), so
 * that its resident memory is the locker's alone; prints the report as one JSON line. Used by `npm run bench`.
 */
import { soak } from './soak.js';

const report = await soak({ operations: Number(process.argv[2] ?? 10_000) });
process.stdout.write(JSON.stringify(report) + '\n');
