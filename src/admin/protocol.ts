/**
 * The admin socket's wire format (contracts.md §4 is its outside face): one JSON request per line, one JSON
 * answer per line; `watch` keeps the connection and sends one event per line until the client hangs up.
 */

/** Version of the request format; the daemon refuses versions it does not speak. */
export const adminProtocolVersion = 1;

/** What the kernel says about the process that connected to the admin socket (SO_PEERCRED at connect()). */
export interface PeerIdentity {
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
}

/** What a request said about itself, kept when it did not match the kernel's answer. */
export interface ClaimedIdentity {
  readonly account: string;
  readonly key?: string | undefined;
  readonly name?: string | undefined;
}

/**
 * Who is asking. The client sends `account`, `via` and, from the SSH entry, `key` and `name`; the daemon adds
 * `peer` from the kernel (never from the request) and, when the claimed account is not the peer uid's account,
 * replaces the claim with the kernel's account and keeps the claim in `claimed`.
 */
export interface Technician {
  /** The Unix account the request came through (`urzedomat-tech` over SSH); the kernel's once the daemon has checked it. */
  readonly account: string;
  /** The SSH key's SHA256 fingerprint, when the request came over SSH. */
  readonly key?: string | undefined;
  /** The name the names file gives that key, if any. */
  readonly name?: string | undefined;
  readonly via: 'ssh' | 'local';
  /** Set by the daemon from the socket's peer credentials; whatever a client sends here is ignored. */
  readonly peer?: PeerIdentity | undefined;
  /** Set by the daemon when the request claimed another account than the peer uid's. */
  readonly claimed?: ClaimedIdentity | undefined;
}

export interface AdminRequest {
  readonly v: number;
  readonly cmd: string;
  readonly args?: Record<string, unknown>;
  /** What the client says about itself; the daemon checks it against the socket's peer credentials. */
  readonly who?: ClaimedTechnician;
}

/** `stopping`: the daemon is shutting down and takes no new request (the tool exits 2, as for a stopped daemon). */
export type AdminErrorCode = 'bad-request' | 'version' | 'unknown-command' | 'not-found' | 'refused' | 'failed' | 'stopping';

export type AdminAnswer =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: AdminErrorCode; readonly message: string } };

export const maxRequestBytes = 16 * 1024;

/** What the client may say about itself: only these fields of `who` are read from a request. */
export type ClaimedTechnician = Pick<Technician, 'account' | 'key' | 'name' | 'via'>;

/**
 * The identity a command runs under: the claim checked against the kernel's answer. A claim whose account is the
 * peer uid's account is kept (with `peer` added); any other claim gives way to the kernel's account, loses its
 * key and name (nothing vouches for them), and is kept in `claimed` for the record. `accountOf` maps a uid to its
 * account name (/etc/passwd); a uid without one shows as `#<uid>`.
 */
export function identify(claim: ClaimedTechnician | undefined, peer: PeerIdentity, accountOf: (uid: number) => string | undefined): Technician {
  const account = accountOf(peer.uid) ?? `#${peer.uid}`;
  if (claim === undefined) return { account, via: 'local', peer };
  if (claim.account === account) return { account, via: claim.via, key: claim.key, name: claim.name, peer };
  return { account, via: claim.via, peer, claimed: { account: claim.account, key: claim.key, name: claim.name } };
}

/** A client-supplied string as it may appear in an actor: no control characters, bounded. */
function shown(s: string, max = 64): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, max);
}

/**
 * The audit actor for what a technician does (it goes into every audit row of the command and the office's
 * `technician.open` event). The part in parentheses is the kernel's: the account and uid that connected.
 *   `technician:Jan Kowalski (urzedomat-tech, uid 998)`   a key with a name, over SSH
 *   `technician:SHA256:... (urzedomat-tech, uid 998)`     a key without one
 *   `technician:anna (uid 1001)`                          a local account
 *   `technician:anna (uid 1001; claimed root "Jan")`      a request that claimed to be someone else
 * A `who` without `peer` (in-process callers, which have no socket) keeps the plain form `technician:<name>`.
 */
export function technicianActor(who: Technician | undefined): string {
  if (who === undefined) return 'technician:unknown';
  const { peer } = who;
  if (peer === undefined) return `technician:${shown(who.name ?? who.key ?? who.account, 128)}`;
  if (who.claimed !== undefined) {
    const c = who.claimed;
    const what = c.name !== undefined ? ` "${shown(c.name)}"` : c.key !== undefined ? ` ${shown(c.key)}` : '';
    return `technician:${shown(who.account)} (uid ${peer.uid}; claimed ${shown(c.account)}${what})`;
  }
  const label = who.name ?? who.key;
  if (label !== undefined) return `technician:${shown(label, 128)} (${shown(who.account)}, uid ${peer.uid})`;
  return `technician:${shown(who.account)} (uid ${peer.uid})`;
}
