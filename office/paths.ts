import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A file of the office's source tree that is not compiled (SQL migrations, the panel's style sheet), found from
 * `office/` when run from source (tests) or from `dist/office/` when built.
 */
export function officeSourcePath(rel: string): string {
  const candidates = [join(here, rel), join(here, '..', '..', 'office', rel)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}
