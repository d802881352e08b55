import type { IncomingMessage, ServerResponse } from 'node:http';

/** Requests larger than this are refused before they are read. */
export const maxBodyBytes = 16 * 1024;

export class BadRequest extends Error {}

/** Reads a JSON object body of at most `maxBodyBytes`; anything else is a BadRequest. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBodyBytes) throw new BadRequest('body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBodyBytes) throw new BadRequest('body too large');
    chunks.push(c as Buffer);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest('body is not a JSON object');
  return v as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') === true ? h.slice('Bearer '.length).trim() : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 512 ? v : undefined;
}
