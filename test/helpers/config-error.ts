import { expect } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ErrorCodes, UrzError } from '../../src/errors.js';

/** The one-line message of the CONFIG_INVALID error `raw` produces; fails the test if the config is accepted. */
export function configError(raw: unknown): string {
  try {
    parseConfig(raw, '/etc/urzedomat');
  } catch (e) {
    expect(e).toBeInstanceOf(UrzError);
    expect((e as UrzError).code).toBe(ErrorCodes.ConfigInvalid);
    const msg = (e as UrzError).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('config was accepted');
}
