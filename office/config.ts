import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../src/wire/config-issues.js';
import { counterHoursSchema } from './counter-hours.js';
import { OfficeError } from './errors.js';

/** The office service's configuration file (contracts.md §7.2). Unknown keys are an error at every level. */

const path = z.string().min(1);

const smsapi = z.strictObject({
  provider: z.literal('smsapi'),
  url: z.url({ protocol: /^https?$/ }),
  tokenFile: path,
  from: z.string().min(1).max(11),
  timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
});

const fileSms = z.strictObject({
  provider: z.literal('file'),
  path,
  from: z.string().min(1).max(11).default('UM Czest'),
});

export const officeConfigSchema = z.strictObject({
  dataDir: path,
  database: z.strictObject({ url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'), poolSize: z.number().int().min(1).max(100).default(10) }).optional(),
  http: z.strictObject({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65_535).default(9000) }).default({ host: '127.0.0.1', port: 9000 }),
  signingKeyFile: path,
  keyId: z.string().min(1).max(128).default('office-1'),
  /** Not in §7.2: the key that seals phone numbers, codes waiting for the gateway and the lockers' keys K at rest. */
  vaultKeyFile: path.optional(),
  sms: z.discriminatedUnion('provider', [smsapi, fileSms]),
  pickup: z.strictObject({ holdDays: z.number().int().min(1).max(60).default(7) }).default({ holdDays: 7 }),
  /** The clerks' panel (issue 16). */
  panel: z
    .strictObject({
      /** A session ends after this long without a request. */
      idleMinutes: z.number().int().min(1).max(24 * 60).default(30),
      /** The session cookie's `Secure` flag; browsers honour it on http://127.0.0.1 too, so it stays on. */
      secureCookie: z.boolean().default(true),
    })
    .default({ idleMinutes: 30, secureCookie: true }),
  /** Alarms by e-mail (issue 16): at most one per alarm kind and locker per `throttleMinutes`. */
  alerts: z
    .strictObject({
      smtp: z.strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(587),
        /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        passwordFile: path.optional(),
      }),
      from: z.string().min(3),
      technicians: z.array(z.string().min(3)).default([]),
      office: z.array(z.string().min(3)).default([]),
      throttleMinutes: z.number().int().min(1).max(24 * 60).default(15),
    })
    .optional(),
  feed: z
    .strictObject({
      pageSize: z.number().int().min(1).max(10_000).default(500),
      /** How long a signed batch stays valid (its `expiresAt`). */
      batchTtlS: z.number().int().min(30).max(86_400).default(300),
    })
    .default({ pageSize: 500, batchTtlS: 300 }),
  /** The panel's statistics (issue 16): the counter's opening hours, against which collections are counted. */
  stats: z.strictObject({ counterHours: counterHoursSchema.prefault({}) }).optional(),
});

export type OfficeConfig = z.output<typeof officeConfigSchema> & { readonly vaultKeyFile: string };

export function parseOfficeConfig(raw: unknown, baseDir: string, source = 'office config'): OfficeConfig {
  const r = officeConfigSchema.safeParse(raw);
  if (!r.success) throw new OfficeError('config-invalid', `invalid ${source}: ${describeIssues(r.error.issues, raw)}`);
  const c = r.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = abs(c.dataDir);
  return {
    ...c,
    dataDir,
    signingKeyFile: abs(c.signingKeyFile),
    vaultKeyFile: c.vaultKeyFile === undefined ? join(dataDir, 'vault.key') : abs(c.vaultKeyFile),
    sms: c.sms.provider === 'smsapi' ? { ...c.sms, tokenFile: abs(c.sms.tokenFile) } : { ...c.sms, path: abs(c.sms.path) },
    ...(c.alerts === undefined
      ? {}
      : { alerts: { ...c.alerts, smtp: { ...c.alerts.smtp, ...(c.alerts.smtp.passwordFile === undefined ? {} : { passwordFile: abs(c.alerts.smtp.passwordFile) }) } } }),
  };
}

export function loadOfficeConfig(file: string): OfficeConfig {
  const p = resolve(file);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    throw new OfficeError('config-unreadable', `cannot read office config ${p}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the fault, line breaks included: the report stays one line.
    throw new OfficeError('config-invalid', `office config ${p} is not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`, { cause: e });
  }
  return parseOfficeConfig(raw, dirname(p), `office config ${p}`);
}
