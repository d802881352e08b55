import { readFileSync } from 'node:fs';
import type { createTransport as CreateTransport } from 'nodemailer';
import type { OfficeConfig } from '../config.js';
import { OfficeError } from '../errors.js';

export interface OutgoingMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** Where alert e-mails go out: SMTP in the service, anything a test likes. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<{ readonly messageId: string | undefined }>;
  close(): void;
}

type AlertsConfig = NonNullable<OfficeConfig['alerts']>;

/**
 * SMTP through nodemailer (an optional dependency, loaded only when `alerts` is configured). `secure`: TLS from
 * the start (port 465); otherwise STARTTLS whenever the server offers it. The password is read from
 * `passwordFile` once, at start.
 */
export async function createSmtpMailer(config: AlertsConfig): Promise<Mailer> {
  let createTransport: typeof CreateTransport;
  try {
    ({ createTransport } = await import('nodemailer'));
  } catch (e) {
    throw new OfficeError('config-invalid', 'alerts: the nodemailer package is not installed (npm install nodemailer)', { cause: e });
  }
  const s = config.smtp;
  let pass: string | undefined;
  if (s.passwordFile !== undefined) {
    try {
      pass = readFileSync(s.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new OfficeError('config-unreadable', `alerts.smtp.passwordFile: cannot read ${s.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
  }
  const transport = createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user === undefined ? {} : { auth: { user: s.user, pass: pass ?? '' } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m) {
      const info = (await transport.sendMail({ from: m.from, to: [...m.to], cc: [...m.cc], subject: m.subject, text: m.text })) as { messageId?: string };
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
