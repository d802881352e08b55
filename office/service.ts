import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createSmtpMailer, type Mailer } from './alerts/mailer.js';
import { AlarmMailer } from './alerts/worker.js';
import type { OfficeConfig } from './config.js';
import type { OfficeContext } from './context.js';
import type { Db } from './db/db.js';
import { sweepDeadlines } from './deadlines.js';
import { buildOfficeApp } from './http/app.js';
import { LockerDirectory } from './lockers.js';
import type { Logger } from './log.js';
import { openOfficeDb } from './open.js';
import { PullRecorder } from './pull-recorder.js';
import { loadOrCreateSigningKey } from './signing-key.js';
import { createFileGateway } from './sms/file-gateway.js';
import type { SmsGateway } from './sms/gateway.js';
import { SmsOutbox } from './sms/outbox.js';
import { createSmsapiGateway } from './sms/smsapi-gateway.js';
import { loadOrCreateVault } from './vault.js';

export interface RunningOffice {
  readonly ctx: OfficeContext;
  readonly app: FastifyInstance;
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly sms: SmsOutbox;
  readonly pulls: PullRecorder;
  /** The alarms' e-mail worker, when `alerts` is configured. */
  readonly alerts: AlarmMailer | undefined;
  sweep(): Promise<{ expired: number; reminded: number }>;
  close(): Promise<void>;
}

export function smsGateway(config: OfficeConfig): SmsGateway {
  const s = config.sms;
  if (s.provider === 'file') return createFileGateway({ path: s.path });
  return createSmsapiGateway({ url: s.url, token: readFileSync(s.tokenFile, 'utf8').trim(), from: s.from, timeoutMs: s.timeoutMs });
}

/** Everything a command needs before it touches data: keys, the vault and the migrated database. */
export async function openOffice(config: OfficeConfig, log: Logger, now: () => Date = () => new Date()): Promise<OfficeContext> {
  const signing = loadOrCreateSigningKey(config.signingKeyFile, config.keyId);
  const vault = loadOrCreateVault(config.vaultKeyFile);
  const db: Db = await openOfficeDb(config);
  return { db, config, vault, signing, log, now, lockers: new LockerDirectory(db, vault) };
}

/**
 * `urzedomat office`: the service of contracts.md §7.1. The sweeps of deadlines run every minute; the text
 * messages are sent by their own worker; the lockers' pulls are recorded once a second.
 */
export async function startOffice(config: OfficeConfig, log: Logger, o: { now?: () => Date; gateway?: SmsGateway; sweepEveryMs?: number; mailer?: Mailer; alertsEveryMs?: number } = {}): Promise<RunningOffice> {
  const ctx = await openOffice(config, log, o.now);
  const sms = new SmsOutbox({ db: ctx.db, vault: ctx.vault, gateway: o.gateway ?? smsGateway(config), log, idxPrefix: `${config.keyId}` });
  const pulls = new PullRecorder(ctx.db);
  let app: FastifyInstance;
  let alerts: AlarmMailer | undefined;
  try {
    if (config.alerts !== undefined) {
      alerts = new AlarmMailer({ db: ctx.db, config: config.alerts, mailer: o.mailer ?? (await createSmtpMailer(config.alerts)), log, now: ctx.now, ...(o.alertsEveryMs === undefined ? {} : { everyMs: o.alertsEveryMs }) });
    }
    app = await buildOfficeApp(ctx, pulls, () => sms.nudge());
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (e) {
    await ctx.db.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  sms.start();
  pulls.start();
  if (alerts !== undefined) {
    if (alerts.recipients === 0) log.warn('alerts: neither technicians nor office addresses are configured: no alarm is e-mailed');
    alerts.start();
  }
  const sweep = async (): Promise<{ expired: number; reminded: number }> => {
    const r = await sweepDeadlines(ctx);
    if (r.expired + r.reminded > 0) {
      log.info(r, 'deadlines swept');
      sms.nudge();
    }
    return r;
  };
  const sweeper = setInterval(() => void sweep().catch((e: unknown) => log.error({ err: String(e) }, 'deadline sweep failed')), o.sweepEveryMs ?? 60_000);
  void sweep().catch((e: unknown) => log.error({ err: String(e) }, 'deadline sweep failed'));
  log.info({ url: `http://${config.http.host}:${port}`, database: ctx.db.kind }, 'office service listening');
  return {
    ctx,
    app,
    url: `http://${config.http.host}:${port}`,
    sms,
    pulls,
    alerts,
    sweep,
    async close() {
      clearInterval(sweeper);
      await app.close();
      await sms.stop();
      await pulls.stop();
      await alerts?.stop();
      await ctx.db.close();
    },
  };
}
