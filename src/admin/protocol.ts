/**
 * The admin socket's wire format (contracts.md §4 is its outside face): one JSON request per line, one JSON
 * answer per line; `watch` keeps the connection and sends one event per line until the client hangs up.
 */

/** Version of the request format; the daemon refuses versions it does not speak. */
export const adminProtocolVersion = 1;

/** Who is asking, as the technician's SSH entry (or a local root shell) established it. */
export interface Technician {
  /** The Unix account the request came through (`urzedomat-tech` over SSH). */
  readonly account: string;
  /** The SSH key's SHA256 fingerprint, when the request came over SSH. */
  readonly key?: string | undefined;
  /** The name given to that key in authorized_keys, if any. */
  readonly name?: string | undefined;
  readonly via: 'ssh' | 'local';
}

export interface AdminRequest {
  readonly v: number;
  readonly cmd: string;
  readonly args?: Record<string, unknown>;
  readonly who?: Technician;
}

/** `stopping`: the daemon is shutting down and takes no new request (the tool exits 2, as for a stopped daemon). */
export type AdminErrorCode = 'bad-request' | 'version' | 'unknown-command' | 'not-found' | 'refused' | 'failed' | 'stopping';

export type AdminAnswer =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: AdminErrorCode; readonly message: string } };

export const maxRequestBytes = 16 * 1024;

/** The audit actor for what a technician does: the key's name or fingerprint, else the account. */
export function technicianActor(who: Technician | undefined): string {
  if (who === undefined) return 'technician:unknown';
  return `technician:${who.name ?? who.key ?? who.account}`;
}
