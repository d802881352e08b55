#!/usr/bin/env node
// Entry point of `npx urzedomat`: runs the compiled program (built by `npm install` through `prepare`).
import { existsSync } from 'node:fs';

// `urzedomat office ...` is the office service, a separate program: the locker never loads its code.
const office = process.argv[2] === 'office';
const entry = new URL(office ? '../dist/office/cli.js' : '../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  if (office && existsSync(new URL('../dist/src/cli.js', import.meta.url))) {
    process.stderr.write("urzedomat office: the office service is not part of this installation (a locker's); it runs on the city's server from a checkout\n");
    process.exit(1);
  }
  process.stderr.write('urzedomat: not built yet: run `npm install` (or `npm run build`) in the checkout\n');
  process.exit(1);
}
try {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv);
} catch (e) {
  if (office && e instanceof Error && e.code === 'ERR_MODULE_NOT_FOUND') {
    // The office's packages are optional dependencies, left out of a locker's installation (and skipped by npm
    // when they fail to install): say which one is missing instead of a stack trace.
    const name = /Cannot find package '([^']+)'/.exec(e.message)?.[1] ?? e.message;
    process.stderr.write(`urzedomat office: ${name} is not installed: run \`npm install\` in the checkout (the office's packages are optional dependencies)\n`);
    process.exit(1);
  }
  // Expected failures are reported by main() itself; this is a bug or a broken installation.
  process.stderr.write(`urzedomat: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
