import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, createSmsapiGateway } from '../../../office/sms/smsapi-gateway.js';
import { createFileGateway } from '../../../office/sms/file-gateway.js';
import type { SendResult, SmsMessage } from '../../../office/sms/gateway.js';
import { startSmsapiDouble, type SmsapiDouble } from '../../helpers/smsapi-double.js';
import { tempDir } from '../../helpers/fixtures.js';

const token = 'test-token-Zq81';
const msg: SmsMessage = {
  to: '600100200',
  message: 'Dokument Paszport czeka w urzedomacie Focha 19. Kod odbioru: 12345678. Odbior do 08.12.2026 15:00.',
  idx: 'job-1',
};

/** Error strings go to logs: neither the phone nor the text (nor the code inside it) may appear. */
function expectLogSafe(r: SendResult): void {
  if (r.kind !== 'refused' && r.kind !== 'failed') throw new Error(`expected an error result, got ${r.kind}`);
  expect(r.error).not.toContain(msg.to);
  expect(r.error).not.toContain('12345678');
  expect(r.error).not.toContain('Paszport');
  expect(r.error).not.toContain(token);
}

describe('smsapi gateway against the local double', () => {
  let double: SmsapiDouble;
  beforeEach(async () => {
    double = await startSmsapiDouble({ token });
  });
  afterEach(async () => {
    await double.stop();
  });
  const gateway = (over: { token?: string; timeoutMs?: number } = {}) =>
    createSmsapiGateway({ url: double.url, token: over.token ?? token, from: 'UM Czest', timeoutMs: over.timeoutMs ?? 5_000 });

  it('posts the form with the bearer token and returns the gateway id', async () => {
    const r = await gateway().send({ ...msg, message: 'Zażółć 12345678' }); // UTF-8 must arrive intact
    expect(r).toEqual({ kind: 'accepted', gatewayId: expect.stringMatching(/^[0-9A-F]{24}$/) });
    expect(double.received).toHaveLength(1);
    const [req] = double.received;
    expect(req?.authorization).toBe(`Bearer ${token}`);
    expect(req?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req?.form).toEqual({
      to: '600100200', message: 'Zażółć 12345678', from: 'UM Czest', format: 'json', encoding: 'utf-8', idx: 'job-1', check_idx: '1',
    });
    expect(double.messages).toEqual([{ to: '600100200', message: 'Zażółć 12345678', from: 'UM Czest', idx: 'job-1' }]);
  });

  it('a resend of the same idx (after a crash) is a duplicate, and nothing is sent twice', async () => {
    expect((await gateway().send(msg)).kind).toBe('accepted');
    expect(await gateway().send(msg)).toEqual({ kind: 'duplicate' });
    expect(double.requests).toBe(2);
    expect(double.messages).toHaveLength(1);
    expect((await gateway().send({ ...msg, idx: 'job-2' })).kind).toBe('accepted');
  });

  it('an error JSON is a refusal', async () => {
    double.mode = 'refuse';
    const r = await gateway().send(msg);
    expect(r).toEqual({ kind: 'refused', error: 'smsapi error 13' });
    expectLogSafe(r);
    expect(double.messages).toEqual([]);
  });

  it('HTTP 500 is a failure to retry', async () => {
    double.mode = 'error-500';
    const r = await gateway().send(msg);
    expect(r).toEqual({ kind: 'failed', error: 'HTTP 500' });
    expectLogSafe(r);
  });

  it('a gateway that never answers fails within the timeout', async () => {
    double.mode = 'hang';
    const started = Date.now();
    const r = await gateway({ timeoutMs: 300 }).send(msg);
    const elapsed = Date.now() - started;
    expect(r.kind).toBe('failed');
    expectLogSafe(r);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
    expect(double.requests).toBe(1);
  }, 5_000); // a missing timeout should fail here quickly, not at the suite's 30 s

  /*
   * A wrong token is the office's configuration, not the resident's message. As a refusal the worker
   * would drop every pickup code sent until someone noticed; as a failure the jobs wait, retried with
   * backoff, and the error names the cause, so fixing tokenFile delivers them (DESIGN.md §6: no code
   * sent twice, and none lost).
   */
  it('a wrong token is a failure (retried once the token is fixed), named as authorization', async () => {
    const r = await gateway({ token: 'wrong' }).send(msg);
    expect(r).toEqual({ kind: 'failed', error: 'authorization refused (HTTP 401)' });
    expectLogSafe(r);
    expect(double.messages).toEqual([]);
    expect((await gateway().send(msg)).kind).toBe('accepted');
  });

  it('an unreachable gateway is a failure', async () => {
    const g = gateway();
    await double.stop();
    const r = await g.send(msg);
    expect(r).toEqual({ kind: 'failed', error: 'network error' });
    double = await startSmsapiDouble({ token }); // for afterEach
  });

  it('refuses a number that is not 9 digits without asking the gateway', async () => {
    const r = await gateway().send({ ...msg, to: '+48600100200' });
    expect(r.kind).toBe('refused');
    expect(double.requests).toBe(0);
  });
});

describe('smsapi answers sorted into the four outcomes', () => {
  const cases: Array<[string, number, string, SendResult]> = [
    ['duplicate idx, numeric', 200, '{"error":53,"message":"Not unique idx"}', { kind: 'duplicate' }],
    ['duplicate idx, as a string', 200, '{"error":"53","message":"Not unique idx"}', { kind: 'duplicate' }],
    ['internal error 201', 200, '{"error":201,"message":"System internal error"}', { kind: 'failed', error: 'smsapi temporary error 201' }],
    ['internal error 999', 200, '{"error":999,"message":"System internal error"}', { kind: 'failed', error: 'smsapi temporary error 999' }],
    ['too many simultaneous requests', 200, '{"error":202,"message":"Too many"}', { kind: 'failed', error: 'smsapi temporary error 202' }],
    ['error in request 8', 200, '{"error":8,"message":"Error in request"}', { kind: 'failed', error: 'smsapi temporary error 8' }],
    ['invalid authorization in a 200', 200, '{"error":101,"message":"Authorization failed"}', { kind: 'failed', error: 'smsapi authorization error 101' }],
    ['no credits', 200, '{"error":103,"message":"Insufficient credits"}', { kind: 'refused', error: 'smsapi error 103' }],
    ['blacklisted number', 200, '{"error":57,"message":"The number 600100200 is blacklisted"}', { kind: 'refused', error: 'smsapi error 57' }],
    ['an unknown code', 200, '{"error":4242,"message":"Future error"}', { kind: 'refused', error: 'smsapi error 4242' }],
    ['a non-numeric code', 400, '{"error":"invalid_param 600100200","message":"x"}', { kind: 'refused', error: 'smsapi error (no numeric code)' }],
    ['a 502 with JSON', 502, '{"error":13}', { kind: 'failed', error: 'HTTP 502' }],
    ['a 403', 403, '{"error":105}', { kind: 'failed', error: 'authorization refused (HTTP 403)' }],
    ['the old text format', 200, 'OK:17101000090360359:0.165', { kind: 'failed', error: 'unreadable answer (HTTP 200)' }],
    ['JSON without list or error', 200, '{"count":0}', { kind: 'failed', error: 'unreadable answer (HTTP 200)' }],
    ['an empty list', 200, '{"count":0,"list":[]}', { kind: 'failed', error: 'unreadable answer (HTTP 200)' }],
    ['JSON null', 200, 'null', { kind: 'failed', error: 'unreadable answer (HTTP 200)' }],
    ['a numeric id', 200, '{"count":1,"list":[{"id":1234,"status":"QUEUE"}]}', { kind: 'accepted', gatewayId: '1234' }],
    ['no id', 200, '{"count":1,"list":[{"status":"QUEUE"}]}', { kind: 'accepted', gatewayId: undefined }],
  ];
  for (const [what, status, body, expected] of cases) {
    it(what, () => {
      const r = classify(status, body);
      expect(r).toEqual(expected);
      if (r.kind === 'refused' || r.kind === 'failed') expectLogSafe(r);
    });
  }
});

describe('file gateway', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('urz-sms-');
  });
  afterEach(() => t.cleanup());

  it('appends one exact JSON line per message to a 0600 file, creating its directory', async () => {
    const path = join(t.dir, 'nested', 'deeper', 'sms.jsonl');
    const times = [new Date('2026-12-08T14:00:00Z'), new Date('2026-12-08T14:00:01.5Z')];
    const g = createFileGateway({ path, now: () => times.shift() ?? new Date(0) });
    expect(g.name).toBe('file');
    expect(await g.send(msg)).toEqual({ kind: 'accepted', gatewayId: undefined });
    // No dedup by idx (documented): the same idx twice is two lines.
    expect(await g.send({ ...msg, message: 'druga "linia"' })).toEqual({ kind: 'accepted', gatewayId: undefined });

    const text = readFileSync(path, 'utf8');
    expect(text).toBe(
      `{"to":"600100200","message":${JSON.stringify(msg.message)},"at":"2026-12-08T14:00:00.000Z"}\n` +
        '{"to":"600100200","message":"druga \\"linia\\"","at":"2026-12-08T14:00:01.500Z"}\n',
    );
    for (const line of text.trimEnd().split('\n')) expect(Object.keys(JSON.parse(line))).toEqual(['to', 'message', 'at']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a path it cannot write is a failure to retry, not a throw', async () => {
    const blocker = join(t.dir, 'a-file');
    writeFileSync(blocker, '');
    const r = await createFileGateway({ path: join(blocker, 'sms.jsonl') }).send(msg);
    expect(r).toEqual({ kind: 'failed', error: expect.stringMatching(/^cannot append to the message file \(E[A-Z]+\)$/) });
    expectLogSafe(r);
  });
});
