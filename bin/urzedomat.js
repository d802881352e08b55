#!/usr/bin/env node
// Entry point of `npx urzedomat`: runs the compiled program (built by `npm install` through `prepare`).
import { existsSync } from 'node:fs';

// `urzedomat office ...` is the office service, a separate program: the locker never loads its code.
const office = process.argv[2] === 'office';
const entry = new URL(office ? '../dist/office/cli.js' : '../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('urzedomat: not built yet: run `npm install` (or `npm run build`) in the checkout\n');
  process.exit(1);
}
try {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv);
} catch (e) {
  // Expected failures are reported by main() itself; this is a bug or a broken installation.
  process.stderr.write(`urzedomat: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
