import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { maxEnvelopeBytes } from '../wire/envelope.js';

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * The office's HTTPS endpoint: bearer token on every request, the office's CA pinned and a client certificate
 * when configured (plain http is accepted by the config only for loopback). Bodies are read up to a limit,
 * so a huge answer cannot fill the memory.
 */
export class OfficeHttp {
  private readonly base: URL;
  private readonly tls: Pick<RequestOptions, 'ca' | 'cert' | 'key'>;

  constructor(office: Config['office'], private readonly token: string, private readonly timeoutMs = 15_000) {
    this.base = new URL(office.url.replace(/\/+$/, ''));
    this.tls = {
      ...(office.caFile !== undefined ? { ca: readFileSync(office.caFile) } : {}),
      ...(office.clientCertFile !== undefined ? { cert: readFileSync(office.clientCertFile) } : {}),
      ...(office.clientKeyFile !== undefined ? { key: readFileSync(office.clientKeyFile) } : {}),
    };
  }

  url(path: string): URL {
    return new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
  }

  get(path: string): Promise<HttpAnswer> {
    return this.send('GET', path, undefined);
  }

  post(path: string, json: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send('POST', path, json, headers);
  }

  private send(method: string, path: string, body: string | undefined, extra: Record<string, string> = {}): Promise<HttpAnswer> {
    const url = this.url(path);
    const https = url.protocol === 'https:';
    const options: RequestOptions = {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        ...extra,
      },
      timeout: this.timeoutMs,
      ...(https ? { ...this.tls, ...(this.tls.ca !== undefined ? { rejectUnauthorized: true } : {}) } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxEnvelopeBytes + 1024) {
            req.destroy(new Error('answer too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}
