import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OfficeError } from '../errors.js';

/**
 * One process at a time on an embedded database directory: `office.lock` holds the owner's pid. A lock left by
 * a process that is gone (killed, power cut) is taken over. Returns the function that releases it.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'office.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new OfficeError(
          'data-dir-locked',
          `the embedded database in ${dataDir} is in use by process ${pid} (the office service?): stop it first, or run the office on PostgreSQL (database.url)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new OfficeError('data-dir-locked', `cannot take the lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
