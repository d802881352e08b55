import type { OfficeConfig } from './config.js';
import type { Db } from './db/db.js';
import type { LockerDirectory } from './lockers.js';
import type { Logger } from './log.js';
import type { SigningKey } from './signing-key.js';
import type { Vault } from './vault.js';

/** What the office's parts share: one per process. */
export interface OfficeContext {
  readonly db: Db;
  readonly config: OfficeConfig;
  readonly vault: Vault;
  readonly signing: SigningKey;
  readonly log: Logger;
  readonly now: () => Date;
  readonly lockers: LockerDirectory;
}
