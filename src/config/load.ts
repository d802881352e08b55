import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ErrorCodes, UrzError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

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
  };
}

type Issue = z.core.$ZodIssue;

/** `boards[0].latchedBit` style key names, as an installer would look them up in the file. */
export function keyName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += (out === '' ? '' : '.') + String(p);
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describeIssue(issue: Issue, raw: unknown): string[] {
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'custom' && issue.code !== 'invalid_union' && valueAt(raw, issue.path) === undefined) {
    return [`${keyName(issue.path)}: required`];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${keyName([...issue.path, k])}: unknown key`);
    case 'invalid_type':
      if (issue.expected === 'int') return [`${keyName(issue.path)}: must be a whole number`];
      return [`${keyName(issue.path)}: expected ${issue.expected}, got ${typeName(valueAt(raw, issue.path))}`];
    case 'invalid_union':
      // A discriminated union with a wrong or missing discriminator: name the discriminator key.
      if (issue.discriminator !== undefined) {
        // zod puts the discriminator in the path when it has a wrong value, not when it is missing.
        const path = issue.path.at(-1) === issue.discriminator ? issue.path : [...issue.path, issue.discriminator];
        const key = keyName(path);
        if (valueAt(raw, path) === undefined) return [`${key}: required`];
        const options = 'options' in issue && issue.options !== undefined ? issue.options.map((o) => JSON.stringify(o)).join(', ') : '';
        return [`${key}: must be one of ${options}`];
      }
      return [`${keyName(issue.path)}: ${issue.message}`];
    case 'too_small':
      return [`${keyName(issue.path)}: must be at least ${String(issue.minimum)}${issue.origin === 'array' ? ' entries' : issue.origin === 'string' ? ' characters' : ''}`];
    case 'too_big':
      return [`${keyName(issue.path)}: must be at most ${String(issue.maximum)}${issue.origin === 'array' ? ' entries' : issue.origin === 'string' ? ' characters' : ''}`];
    case 'invalid_value':
      return [`${keyName(issue.path)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`];
    default:
      return [`${keyName(issue.path)}: ${issue.message}`];
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describeIssues(issues: readonly Issue[], raw: unknown): string {
  const parts = issues.flatMap((i) => describeIssue(i, raw));
  return [...new Set(parts)].join('; ');
}
