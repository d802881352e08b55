import type { z } from 'zod';

/**
 * One line naming every offending key of a JSON configuration (contracts.md §2 and §7.2), e.g.
 * `office.pullIntervalS: must be at least 5; boards[0].foo: unknown key`. Both programs (the locker and the
 * office service) promise this form to installers, so it lives beside the protocol they share.
 */

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

export function describeIssues(issues: readonly Issue[], raw: unknown): string {
  const parts = issues.flatMap((i) => describeIssue(i, raw));
  return [...new Set(parts)].join('; ');
}
