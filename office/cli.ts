import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { addApiToken } from './api-tokens.js';
import { addClerk } from './clerks.js';
import { loadOfficeConfig } from './config.js';
import { OfficeError } from './errors.js';
import { addLocker } from './lockers.js';
import { createOfficeLogger } from './log.js';
import { openOffice, startOffice } from './service.js';

/**
 * `urzedomat office ...` (contracts.md §7.1), dispatched here by bin/urzedomat.js so that the locker's
 * program never loads the office's code or its dependencies.
 */
export async function main(argv: readonly string[], io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let exit = 0;
  const configOf = (o: { config?: string }): string => {
    const file = o.config ?? process.env['URZEDOMAT_CONFIG'];
    if (file === undefined || file === '') throw new OfficeError('config-unreadable', 'no configuration: give --config FILE (or URZEDOMAT_CONFIG)');
    return file;
  };
  const quietLog = () => createOfficeLogger({ level: 'warn', destination: { write: (s: string) => void err.write(s) } });

  const program = new Command('urzedomat office')
    .description('the office service (contracts.md §7): feeds for the lockers, the integration API, the text messages')
    .option('--config <file>', 'office configuration file (JSON)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .action(async (o: { config?: string }) => {
      const config = loadOfficeConfig(configOf(o));
      const running = await startOffice(config, createOfficeLogger());
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          done();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        // Started by a parent with an IPC channel (the demo): stop when it goes, even when it was killed, so no
        // orphan keeps the port and the embedded database's lock.
        if (process.connected) {
          process.once('disconnect', stop);
          process.channel?.unref(); // the channel alone must not keep the service's process alive once it stopped
        }
      });
      await running.close();
    });

  const locker = program.command('locker').description('the lockers this office serves');
  locker
    .command('add <lockerId>')
    .description("register a locker and write its secrets for the locker's deploy/install.sh --secrets-from DIR")
    .requiredOption('--name <text>', 'where the locker stands, as residents are told')
    .requiredOption('--out <dir>', 'directory for office.token, office-ed25519.pub.pem and code.key')
    .option('--config <file>', 'office configuration file (JSON)')
    .action(async (id: string, o: { name: string; out: string; config?: string }) => {
      const ctx = await openOffice(loadOfficeConfig(configOf({ config: o.config ?? program.opts<{ config?: string }>().config })), quietLog());
      try {
        const secrets = await addLocker(ctx.db, ctx.vault, id, o.name);
        const dir = resolve(o.out);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(dir, 0o700);
        // `mode` only applies to a file that is created: one left in DIR by an earlier run keeps its mode unless set.
        const write = (name: string, text: string, mode: number): void => {
          writeFileSync(join(dir, name), text, { mode });
          chmodSync(join(dir, name), mode);
        };
        write('office.token', secrets.token + '\n', 0o600);
        write('code.key', secrets.codeKey.toString('hex') + '\n', 0o600);
        write('office-ed25519.pub.pem', ctx.signing.publicKeyPem, 0o644);
        const staff = Number((await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff WHERE active')).rows[0]?.n ?? 0);
        out.write(`locker ${id} registered; its secrets are in ${dir} (office.token, office-ed25519.pub.pem, code.key)\n`);
        if (staff > 0) out.write(`note: ${staff} active member(s) of staff cannot log in at ${id} until their PIN is set again (POST /api/v1/staff): PINs are never stored\n`);
      } finally {
        await ctx.db.close();
      }
    });

  program
    .command('token')
    .description('API tokens for other systems')
    .command('add <name>')
    .description('create an API token and print it once, alone on its line')
    .option('--config <file>', 'office configuration file (JSON)')
    .action(async (name: string, o: { config?: string }) => {
      const ctx = await openOffice(loadOfficeConfig(configOf({ config: o.config ?? program.opts<{ config?: string }>().config })), quietLog());
      try {
        out.write((await addApiToken(ctx.db, name)) + '\n');
      } finally {
        await ctx.db.close();
      }
    });

  program
    .command('clerk')
    .description("clerks' accounts for the panel")
    .command('add <login>')
    .description('create a clerk; the password is read from standard input')
    .requiredOption('--name <text>', "the clerk's name")
    .option('--admin', 'may manage staff and the catalogue', false)
    .option('--config <file>', 'office configuration file (JSON)')
    .action(async (login: string, o: { name: string; admin: boolean; config?: string }) => {
      const config = loadOfficeConfig(configOf({ config: o.config ?? program.opts<{ config?: string }>().config }));
      const password = (await readAll(io.stdin ?? process.stdin)).replace(/\r?\n$/, '');
      const ctx = await openOffice(config, quietLog());
      try {
        await addClerk(ctx.db, login, o.name, o.admin, password);
        out.write(`clerk ${login} created${o.admin ? ' (admin)' : ''}\n`);
      } finally {
        await ctx.db.close();
      }
    });

  try {
    await program.parseAsync(argv.slice(3), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof OfficeError) {
      err.write(`urzedomat office: ${e.message}\n`);
      return 1;
    }
    err.write(`urzedomat office: ${e instanceof Error ? e.message : String(e)}\n`);
    exit = 1;
  }
  return exit;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}
