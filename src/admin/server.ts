import { existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { AdminCommands, AdminError } from './commands.js';
import { accountName, assertPeerCredentialsAvailable, peerCredentials, type PeerCredentials } from './peer-credentials.js';
import { adminProtocolVersion, identify, maxRequestBytes, type AdminAnswer, type AdminRequest, type ClaimedTechnician } from './protocol.js';
import { groupId, prepareSocketDir, protectSocket } from './socket-permissions.js';
import type { AdminContext } from './status.js';
import { watchEvents } from './watch.js';

export interface AdminServer {
  readonly path: string;
  close(): Promise<void>;
}

/** A socket file left by a crash answers nobody; one that answers belongs to a running daemon. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another daemon answers on ${path}`);
  unlinkSync(path);
}

function parseRequest(line: string): AdminRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new AdminError('bad-request', 'the request is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AdminError('bad-request', 'the request is not a JSON object');
  const r = v as Record<string, unknown>;
  if (r.v !== adminProtocolVersion) throw new AdminError('version', `this daemon speaks admin protocol ${adminProtocolVersion}, not ${String(r.v)}`);
  if (typeof r.cmd !== 'string') throw new AdminError('bad-request', 'cmd is missing');
  const args = r.args === undefined ? {} : r.args;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new AdminError('bad-request', 'args must be an object');
  const who = claimOf(r.who);
  return { v: r.v, cmd: r.cmd, args: args as Record<string, unknown>, ...(who === undefined ? {} : { who }) };
}

/** The fields of `who` a client may send, copied one by one: anything else it sends (a `peer`, a `claimed`) is dropped. */
function claimOf(w: unknown): ClaimedTechnician | undefined {
  if (w === null || typeof w !== 'object') return undefined;
  const t = w as Record<string, unknown>;
  const short = (x: unknown): boolean => x === undefined || (typeof x === 'string' && x.length <= 128);
  if (!(typeof t.account === 'string' && t.account.length <= 64 && (t.via === 'ssh' || t.via === 'local') && short(t.key) && short(t.name))) return undefined;
  return { account: t.account, via: t.via, key: t.key as string | undefined, name: t.name as string | undefined };
}

/**
 * The admin API on a Unix socket (contracts.md §4 is its client's face): one JSON request per line, one
 * answer per line, then the connection closes, except `watch`, which streams until the client leaves. The
 * socket is 0660 in a 0750 directory, owned by the daemon's user and the technicians' group: nobody else can
 * connect. Who did connect is the kernel's answer (SO_PEERCRED, ./peer-credentials.ts), not the request's `who`:
 * see `identify` in ./protocol.ts and docs/DESIGN-DECISIONS.md, "Who is asking on the admin socket".
 */
/** How long a stop waits for admin commands in flight (an unlock's confirmation takes at most a few seconds). */
const drainLimitMs = 20_000;

export async function startAdminServer(ctx: AdminContext, logger: Logger): Promise<AdminServer> {
  const log = logger.child({ layer: 'admin' });
  const path = ctx.config.admin.socket;
  const groupName = ctx.config.admin.group;
  const gid = groupName === undefined ? undefined : groupId(groupName);
  if (groupName !== undefined && gid === undefined) log.warn({ group: groupName }, 'admin group does not exist; the socket keeps the daemon\'s own group');
  prepareSocketDir(path, gid);
  await removeStaleSocket(path);
  let peersKnown = true;
  try {
    assertPeerCredentialsAvailable();
  } catch (e) {
    // The locker keeps serving residents; every admin request is refused until the program is installed whole.
    peersKnown = false;
    log.error({ err: (e as Error).message }, 'admin requests will be refused: the daemon cannot tell who is asking');
  }
  const commands = new AdminCommands(ctx);
  const sockets = new Set<Socket>();
  /** Commands being answered: a stop lets them finish (an unlock half-way must get its verdict to the technician). */
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  const answer = (sock: Socket, a: AdminAnswer): void => {
    sock.end(JSON.stringify(a) + '\n');
  };

  const handle = async (sock: Socket, line: string, peer: PeerCredentials): Promise<void> => {
    let req: AdminRequest;
    try {
      req = parseRequest(line);
    } catch (e) {
      const err = e as AdminError;
      return answer(sock, { ok: false, error: { code: err.code, message: err.message } });
    }
    // The kernel's uid decides the account; what the request said about itself is kept beside it.
    const who = identify(req.who, peer, (uid) => accountName(uid));
    const entry = { cmd: req.cmd, who: req.who ?? null, peer, account: who.account, ...(who.claimed === undefined ? {} : { mismatch: true }) };
    if (who.claimed === undefined) log.info(entry, 'admin request');
    else log.warn(entry, 'admin request: the claimed account is not the one that connected; the kernel\'s is used');
    if (req.cmd === 'watch') {
      sock.write(JSON.stringify({ ok: true, result: { watching: true } }) + '\n');
      const stop = watchEvents(ctx, (e) => sock.write(JSON.stringify(e) + '\n'));
      sock.once('close', stop);
      return;
    }
    try {
      answer(sock, { ok: true, result: await commands.run(req.cmd, req.args ?? {}, who) });
    } catch (e) {
      if (e instanceof AdminError) answer(sock, { ok: false, error: { code: e.code, message: e.message } });
      else {
        log.error({ err: (e as Error).message, cmd: req.cmd }, 'admin command failed');
        answer(sock, { ok: false, error: { code: 'failed', message: (e as Error).message } });
      }
    }
  };

  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    // Asked at once, before a byte is read: the credentials are the connecting process's, fixed at its connect().
    let peer: PeerCredentials | Error;
    try {
      if (!peersKnown) throw new Error('the peer-credentials addon is missing (see the log at start)');
      peer = peerCredentials(sock);
    } catch (e) {
      peer = e as Error;
      log.error({ err: peer.message }, 'admin connection: the kernel did not say who connected; refused');
    }
    let buf = '';
    let done = false;
    sock.on('data', (chunk) => {
      if (done) return;
      buf += chunk.toString('utf8');
      if (buf.length > maxRequestBytes) {
        done = true;
        return answer(sock, { ok: false, error: { code: 'bad-request', message: 'request too large' } });
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      done = true;
      if (closing) return answer(sock, { ok: false, error: { code: 'stopping', message: 'the daemon is stopping; ask again once it is back' } });
      if (peer instanceof Error) return answer(sock, { ok: false, error: { code: 'failed', message: `the daemon cannot tell who is asking (${peer.message}); nothing was done` } });
      const p: Promise<void> = handle(sock, buf.slice(0, nl), peer).catch((e: unknown) => {
        log.error({ err: (e as Error).message }, 'admin connection failed');
        sock.destroy();
      }).finally(() => inFlight.delete(p));
      inFlight.add(p);
    });
  });
  // Created with no permissions for others from the first moment; protectSocket then sets the exact mode.
  const oldUmask = process.umask(0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(oldUmask);
  }
  protectSocket(path, gid);
  log.info({ socket: path, group: groupName ?? null }, 'admin socket listening');
  return {
    path,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drained = Promise.allSettled([...inFlight]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainLimitMs)))]);
      clearTimeout(timer);
      if (inFlight.size > 0) log.warn({ requests: inFlight.size }, 'admin requests still running at stop were cut off');
      for (const s of sockets) s.destroy(); // `watch` streams and idle connections
      await closed;
    },
  };
}
