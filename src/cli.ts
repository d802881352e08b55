import { Command, Option } from 'commander';
import { systemClock } from './clock.js';
import { loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import { SIM_BOARD_FAMILIES, simBoardFamily, simulationConfig } from './config/simulation.js';
import { diagSocketPath } from './admin/diag-socket.js';
import { isStartupFatal } from './errors.js';
import { createLogger } from './log.js';
import { startDaemon } from './main.js';
import { packageVersion } from './paths.js';
import { ensureSimulationSecrets } from './sim/secrets.js';
import { openStore } from './store/store.js';
import { diagCommand, localTechnician } from './admin/diag-command.js';
import { sshEntry } from './admin/ssh-entry.js';
import { startSimBus } from './sim/sim-bus-command.js';
import { startDemo } from './sim/demo-command.js';

/** Process exit codes, shared with the technician tool's contract (contracts.md section 4). */
export const ExitCodes = { ok: 0, configOrStartup: 1, unreachable: 2, refused: 3 } as const;

interface ConfigOption {
  config?: string;
}

/** `--config FILE`, else URZEDOMAT_CONFIG, else the built-in simulation config. */
function resolveConfig(opts: ConfigOption): { config: Config; simulated: boolean } {
  const file = opts.config ?? process.env.URZEDOMAT_CONFIG;
  if (file !== undefined && file !== '') return { config: loadConfigFile(file), simulated: false };
  const config = simulationConfig();
  ensureSimulationSecrets(config.office);
  return { config, simulated: true };
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
}

async function runCommand(opts: ConfigOption): Promise<number> {
  let resolved: { config: Config; simulated: boolean };
  try {
    resolved = resolveConfig(opts);
  } catch (e) {
    process.stderr.write(`urzedomat: ${oneLine(e)}\n`);
    return ExitCodes.configOrStartup;
  }
  const { config, simulated } = resolved;
  const logger = createLogger({ level: config.log.level });
  if (simulated) logger.warn({ dataDir: config.dataDir }, 'no --config given: running on the built-in simulation config');

  process.on('uncaughtException', (e) => {
    logger.fatal({ err: e }, 'uncaught exception; exiting so the service manager restarts a clean process');
    process.exit(ExitCodes.configOrStartup);
  });
  process.on('unhandledRejection', (e) => {
    logger.fatal({ err: e }, 'unhandled rejection; exiting so the service manager restarts a clean process');
    process.exit(ExitCodes.configOrStartup);
  });

  // Listen for the stop signals before anything starts: without a listener the default action kills the
  // process at once, and a SIGTERM during start-up must still end in a clean stop.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let daemon;
  try {
    daemon = await startDaemon(config, { logger, clock: systemClock });
  } catch (e) {
    if (isStartupFatal(e)) {
      logger.fatal({ code: e.code }, e.message);
      process.stderr.write(`urzedomat: ${oneLine(e)}\n`);
      return ExitCodes.configOrStartup;
    }
    // A step late in the start failed (the admin socket's directory, say) with parts already running: they would
    // keep the process alive, deaf to SIGTERM, until systemd's start timeout. Say why on one line and exit.
    logger.fatal({ err: e }, 'start failed');
    process.stderr.write(`urzedomat: start failed: ${oneLine(e)}\n`);
    process.exit(ExitCodes.configOrStartup);
  }
  await daemon.stop(await signal);
  return ExitCodes.ok;
}

function migrateCommand(opts: ConfigOption): number {
  try {
    const { config } = resolveConfig(opts);
    const store = openStore(config.dataDir, systemClock);
    const { applied, version } = store.migration;
    store.close();
    process.stdout.write(`schema at version ${version}${applied.length > 0 ? `; applied ${applied.join(', ')}` : '; nothing to apply'}\n`);
    return ExitCodes.ok;
  } catch (e) {
    process.stderr.write(`urzedomat migrate: ${oneLine(e)}\n`);
    return ExitCodes.configOrStartup;
  }
}

interface SimBusCliOptions extends ConfigOption {
  tcp: string;
  pty?: string;
  replyDelayMs: string;
  autoCloseMs?: string;
}

async function simBusCommand(opts: SimBusCliOptions): Promise<number> {
  let config: Config;
  try {
    config = resolveConfig(opts).config;
  } catch (e) {
    process.stderr.write(`urzedomat sim-bus: ${oneLine(e)}\n`);
    return ExitCodes.configOrStartup;
  }
  const logger = createLogger({ level: config.log.level });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const running = await startSimBus(config, { tcpPort: Number(opts.tcp), ptyPath: opts.pty, replyDelayMs: Number(opts.replyDelayMs), autoCloseMs: opts.autoCloseMs === undefined ? undefined : Number(opts.autoCloseMs) }, systemClock, logger);
  await stopped;
  await running.stop();
  return ExitCodes.ok;
}

async function demoCommand(opts: { boards?: string }): Promise<number> {
  // `--boards` stands for URZEDOMAT_SIM_BOARDS (and wins over it); a value neither knows is refused on one line.
  let env: NodeJS.ProcessEnv = process.env;
  try {
    if (opts.boards !== undefined) env = { ...process.env, URZEDOMAT_SIM_BOARDS: simBoardFamily(opts.boards, '--boards') };
  } catch (e) {
    process.stderr.write(`urzedomat demo: ${oneLine(e)}\n`);
    return ExitCodes.configOrStartup;
  }
  const logger = createLogger({ level: 'warn' });
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  let demo;
  try {
    demo = await startDemo(systemClock, logger, env);
  } catch (e) {
    process.stderr.write(`urzedomat demo: ${oneLine(e)}\n`);
    return ExitCodes.configOrStartup;
  }
  process.stdout.write(demo.banner + '\n');
  await stopSignal;
  await demo.stop();
  return ExitCodes.ok;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('urzedomat')
    .description('Controller of the urzędomat document-pickup locker.')
    .version(packageVersion())
    .showHelpAfterError();
  const configOption = (): Option =>
    new Option('-c, --config <file>', 'configuration file (JSON); URZEDOMAT_CONFIG may stand in for it; without either, the built-in simulation config');

  program
    .command('run')
    .description('Run the locker daemon: check the config and secrets, open and migrate the database, reconcile the compartment layout, and run until SIGTERM or SIGINT.')
    .addOption(configOption())
    .action(async (opts: ConfigOption) => setExit(await runCommand(opts)));

  program
    .command('migrate')
    .description('Bring the database in dataDir up to the schema of this version, then exit. `run` does this by itself at start.')
    .addOption(configOption())
    .action((opts: ConfigOption) => setExit(migrateCommand(opts)));

  program
    .command('sim-bus')
    .description("Simulated lock boards for the config's `boards`, speaking the real bytes of their family on loopback TCP (like a KR-BU bridge) and, with --pty, on a pseudo-terminal the daemon can open as its serial port.")
    .addOption(configOption())
    .option('--tcp <port>', 'loopback TCP port (0: any free port)', '0')
    .option('--pty <path>', 'create a pseudo-terminal at this path (needs socat)')
    .option('--reply-delay-ms <ms>', "the boards' processing time before they answer", '3')
    .option('--auto-close-ms <ms>', 'doors shut by themselves this long after their latch released (a simulated resident)')
    .action(async (opts: SimBusCliOptions) => setExit(await simBusCommand(opts)));

  program
    .command('demo')
    .description('The whole system in simulation on this machine (what `npm start` runs): the office service on its embedded database with waiting documents (their text messages printed), simulated boards, the daemon and its kiosk on loopback.')
    .option('--boards <family>', `the simulated boards' family: ${SIM_BOARD_FAMILIES.join(', ')} (default: URZEDOMAT_SIM_BOARDS, else kerong: a CU48 and a CU16; kerong-cu48-60: a CU48 with the 0x60 firmware and a CU16; xor-8a: two XOR-checksum boards at 9600 baud)`)
    .action(async (opts: { boards?: string }) => setExit(await demoCommand(opts)));

  program
    .command('ssh-entry')
    .description("sshd's ForceCommand for the technicians' account: runs the one `diag` command in SSH_ORIGINAL_COMMAND with the technician's identity, or refuses it (exit 3) and has it audited.")
    .addOption(configOption())
    .option('--socket <path>', 'admin socket of the daemon (instead of the one in the config)')
    .option('--names <file>', 'technician names by key fingerprint (`SHA256:... Name` per line)', '/etc/urzedomat/technicians')
    .action(async (opts: ConfigOption & { socket?: string; names?: string }) => {
      let socket: string;
      try {
        socket = opts.socket ?? resolveConfig(opts).config.admin.socket;
      } catch (e) {
        process.stderr.write(`urzedomat: ${oneLine(e)}\n`);
        return setExit(ExitCodes.configOrStartup);
      }
      setExit(await sshEntry({ socket, namesFile: opts.names, env: process.env, out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }));
    });

  program.addCommand(diagCommand({
    socketPath: (opts) => diagSocketPath(
      { socket: opts.socket, configNamed: (opts.config ?? process.env.URZEDOMAT_CONFIG ?? '') !== '' },
      () => resolveConfig(opts).config.admin.socket,
    ),
    who: localTechnician,
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    setExit,
    allowTargets: true,
  }));

  return program;
}

/** Runs the command line; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = ExitCodes.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    // commander has already printed its message (unknown command, --help, --version).
    const exitCode = (e as { exitCode?: number }).exitCode;
    return typeof exitCode === 'number' ? exitCode : ExitCodes.configOrStartup;
  }
  return code;
}
