import type { IncomingMessage, ServerResponse } from 'node:http';

interface Client {
  readonly res: ServerResponse;
  readonly session: string | undefined;
}

/** A screen's own id, made by the page: letters, digits and dashes. */
export const sessionIdPattern = /^[A-Za-z0-9-]{8,64}$/;

const heartbeatMs = 15_000;
const rememberedSessions = 64;

/**
 * Server-sent events to the screens: compartment changes and the locker's mode for everyone, a resident's
 * pickup progress only to the screen whose session it is. The last message of each session is kept and sent
 * again when that screen reconnects, so a dropped connection cannot swallow the receipt.
 */
export class EventStream {
  private readonly clients = new Set<Client>();
  private readonly lastBySession = new Map<string, string>();
  private readonly heartbeat: NodeJS.Timeout;

  /** `initial` gives the frames every new connection starts with (the current mode and compartments). */
  constructor(private readonly initial: () => [event: string, data: unknown][]) {
    // Proxies and the browser drop a silent connection; a comment line every 15 s keeps it open.
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const s = query.get('session');
    const session = s !== null && sessionIdPattern.test(s) ? s : undefined;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    for (const [event, data] of this.initial()) res.write(frame(event, data));
    const last = session === undefined ? undefined : this.lastBySession.get(session);
    if (last !== undefined) res.write(last);
    const client = { res, session };
    this.clients.add(client);
    req.on('close', () => this.clients.delete(client));
  }

  /** To every screen, or with `session` only to that screen (and remembered for its reconnect). */
  publish(event: string, data: unknown, session?: string): void {
    const text = frame(event, data);
    if (session !== undefined) {
      this.lastBySession.delete(session);
      this.lastBySession.set(session, text);
      if (this.lastBySession.size > rememberedSessions) this.lastBySession.delete(this.lastBySession.keys().next().value!);
    }
    for (const c of this.clients) {
      if (session === undefined || c.session === session) c.res.write(text);
    }
  }

  get connections(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const c of this.clients) c.res.write(text);
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
