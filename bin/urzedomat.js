#!/usr/bin/env node
// Entry point of `npx urzedomat`: runs the compiled program (built by `npm install` through `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('urzedomat: not built yet: run `npm install` (or `npm run build`) in the checkout\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
