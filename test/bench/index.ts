/** `npm run bench`: every benchmark, one after the other, each printing its figures against its goal. */
import { busBenchmark } from './bus.bench.js';
import { credentialTiming } from './credentials.bench.js';
import { officeBenchmark } from './office.bench.js';
import { doorDetectionBenchmark } from './door-detection.bench.js';
import { pickupLatencyBenchmark } from './pickup-latency.bench.js';
import { soakMemoryBenchmark } from './soak-memory.bench.js';
import { startupBenchmark } from './startup.bench.js';
import { syncBenchmark } from './sync.bench.js';

await busBenchmark();
await pickupLatencyBenchmark();
await doorDetectionBenchmark();
credentialTiming();
syncBenchmark();
await startupBenchmark();
await soakMemoryBenchmark();
await officeBenchmark();
