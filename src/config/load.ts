import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ErrorCodes, UrzError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssues } from '../wire/config-issues.js';

/**
 * Parses and validates a configuration object. Throws `CONFIG_INVALID` whose message is one line naming
 * every offending key, e.g. `office.pullIntervalS: must be at least 5; boards[0].foo: unknown key`.
 * Relative file paths are resolved against `baseDir` (the config file's directory).
 */
export function parseConfig(raw: unknown, baseDir: string, source = 'config'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new UrzError(ErrorCodes.ConfigInvalid, `invalid ${source}: ${describeIssues(result.error.issues, raw)}`);
  }
  return resolvePaths(result.data, baseDir);
}

/** Reads, parses and validates a JSON configuration file. */
export function loadConfigFile(file: string): Config {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UrzError(ErrorCodes.ConfigUnreadable, `cannot read config ${path}: ${code}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UrzError(ErrorCodes.ConfigNotJson, `config ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(raw, dirname(path), `config ${path}`);
}

function resolvePaths(c: Config, baseDir: string): Config {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const optAbs = (p: string | undefined): string | undefined => (p === undefined ? undefined : abs(p));
  return {
    ...c,
    dataDir: abs(c.dataDir),
    office: {
      ...c.office,
      tokenFile: abs(c.office.tokenFile),
      publicKeyFile: abs(c.office.publicKeyFile),
      codeKeyFile: abs(c.office.codeKeyFile),
      caFile: optAbs(c.office.caFile),
      clientCertFile: optAbs(c.office.clientCertFile),
      clientKeyFile: optAbs(c.office.clientKeyFile),
    },
    admin: { ...c.admin, socket: abs(c.admin.socket) },
    ...(c.metrics === undefined ? {} : { metrics: { ...c.metrics, textfile: abs(c.metrics.textfile) } }),
  };
}
