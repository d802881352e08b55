import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOfficeConfig, parseOfficeConfig } from '../../../office/config.js';
import { OfficeError } from '../../../office/errors.js';
import { tempDir } from '../../helpers/fixtures.js';

/** The office service's configuration file (contracts.md §7.2): defaults, paths, provider shapes, one-line errors naming the key. */

/** The example of contracts.md §7.2, exactly as written there. */
const contractExample = `{
  "dataDir": "/var/lib/urzedomat-office",
  "database": { "url": "postgres://urzedomat@127.0.0.1:5432/urzedomat" },
  "http": { "host": "127.0.0.1", "port": 9000 },
  "signingKeyFile": "/etc/urzedomat-office/feed-ed25519.key.pem",
  "keyId": "office-1",
  "sms": { "provider": "smsapi", "url": "https://api.smsapi.pl/sms.do", "tokenFile": "/etc/urzedomat-office/sms.token", "from": "UM Czest" },
  "pickup": { "holdDays": 7 }
}`;

const minimal = (): Record<string, any> => ({
  dataDir: '/srv/office',
  signingKeyFile: '/etc/office/feed.pem',
  sms: { provider: 'file', path: '/srv/office/sms.jsonl' },
});

/** The one-line message of the config-invalid error `raw` produces. */
function configError(raw: unknown): string {
  try {
    parseOfficeConfig(raw, '/etc/office');
  } catch (e) {
    expect(e).toBeInstanceOf(OfficeError);
    expect((e as OfficeError).code).toBe('config-invalid');
    const msg = (e as OfficeError).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`config was accepted: ${JSON.stringify(raw)}`);
}

describe('parseOfficeConfig', () => {
  it('parses the example of contracts.md §7.2 as written', () => {
    const c = parseOfficeConfig(JSON.parse(contractExample), '/somewhere/else');
    expect(c).toEqual({
      dataDir: '/var/lib/urzedomat-office',
      database: { url: 'postgres://urzedomat@127.0.0.1:5432/urzedomat', poolSize: 10 },
      http: { host: '127.0.0.1', port: 9000 },
      signingKeyFile: '/etc/urzedomat-office/feed-ed25519.key.pem',
      keyId: 'office-1',
      vaultKeyFile: '/var/lib/urzedomat-office/vault.key',
      sms: { provider: 'smsapi', url: 'https://api.smsapi.pl/sms.do', tokenFile: '/etc/urzedomat-office/sms.token', from: 'UM Czest', timeoutMs: 10_000 },
      pickup: { holdDays: 7 },
      panel: { idleMinutes: 30, secureCookie: true },
      feed: { pageSize: 500, batchTtlS: 300 },
    });
  });

  it('fills the defaults: http 127.0.0.1:9000, holdDays 7, keyId office-1, the vault key under dataDir, the embedded database', () => {
    const c = parseOfficeConfig(minimal(), '/etc/office');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(c.pickup).toEqual({ holdDays: 7 });
    expect(c.keyId).toBe('office-1');
    expect(c.vaultKeyFile).toBe('/srv/office/vault.key');
    expect(c.database).toBeUndefined();
    expect(c.feed).toEqual({ pageSize: 500, batchTtlS: 300 });
    // An http section with only a port keeps the default host, and the other way round.
    expect(parseOfficeConfig({ ...minimal(), http: { port: 9100 } }, '/').http).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseOfficeConfig({ ...minimal(), http: { host: '0.0.0.0' } }, '/').http).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseOfficeConfig({ ...minimal(), pickup: {} }, '/').pickup).toEqual({ holdDays: 7 });
  });

  it('takes relative paths from the base directory and leaves absolute ones alone', () => {
    const c = parseOfficeConfig(
      { dataDir: 'data', signingKeyFile: 'keys/feed.pem', vaultKeyFile: '../vault/vault.key', sms: { provider: 'smsapi', url: 'https://api.smsapi.pl/sms.do', tokenFile: 'sms.token', from: 'UM Czest' } },
      '/etc/office',
    );
    expect(c.dataDir).toBe('/etc/office/data');
    expect(c.signingKeyFile).toBe('/etc/office/keys/feed.pem');
    expect(c.vaultKeyFile).toBe('/etc/vault/vault.key');
    expect(c.sms).toMatchObject({ provider: 'smsapi', tokenFile: '/etc/office/sms.token' });
    // The default vault key follows a relative dataDir to where it was resolved.
    expect(parseOfficeConfig({ ...minimal(), dataDir: './d' }, '/base').vaultKeyFile).toBe('/base/d/vault.key');
    const f = parseOfficeConfig({ ...minimal(), sms: { provider: 'file', path: 'out/sms.jsonl' } }, '/base');
    expect(f.sms).toEqual({ provider: 'file', path: '/base/out/sms.jsonl', from: 'UM Czest' });
    expect(parseOfficeConfig(minimal(), '/base').signingKeyFile).toBe('/etc/office/feed.pem');
  });

  it('knows the two provider shapes: smsapi with url, tokenFile and from; file with path', () => {
    const smsapi = parseOfficeConfig({ ...minimal(), sms: { provider: 'smsapi', url: 'http://127.0.0.1:8089/sms.do', tokenFile: '/t', from: 'UM', timeoutMs: 3000 } }, '/');
    expect(smsapi.sms).toEqual({ provider: 'smsapi', url: 'http://127.0.0.1:8089/sms.do', tokenFile: '/t', from: 'UM', timeoutMs: 3000 });
    const file = parseOfficeConfig(minimal(), '/');
    expect(file.sms).toEqual({ provider: 'file', path: '/srv/office/sms.jsonl', from: 'UM Czest' });

    expect(configError({ ...minimal(), sms: { provider: 'smsapi', url: 'https://api.smsapi.pl/sms.do', from: 'UM' } })).toMatch(/sms\.tokenFile: required/);
    expect(configError({ ...minimal(), sms: { provider: 'smsapi', tokenFile: '/t', from: 'UM' } })).toMatch(/sms\.url: required/);
    expect(configError({ ...minimal(), sms: { provider: 'smsapi', url: 'https://x.example/sms.do', tokenFile: '/t' } })).toMatch(/sms\.from: required/);
    // What belongs to the other provider is an unknown key, not silently ignored.
    expect(configError({ ...minimal(), sms: { provider: 'smsapi', url: 'https://x.example/sms.do', tokenFile: '/t', from: 'UM', path: '/p' } })).toMatch(/sms\.path: unknown key/);
    expect(configError({ ...minimal(), sms: { provider: 'file', path: '/p', url: 'https://x.example/sms.do' } })).toMatch(/sms\.url: unknown key/);
    expect(configError({ ...minimal(), sms: { provider: 'file' } })).toMatch(/sms\.path: required/);
    expect(configError({ ...minimal(), sms: { provider: 'smsapi', url: 'ftp://x.example/sms.do', tokenFile: '/t', from: 'UM' } })).toMatch(/^invalid office config: sms\.url: /);
    // A sender name is at most 11 characters (an alphanumeric sender ID).
    expect(configError({ ...minimal(), sms: { provider: 'file', path: '/p', from: 'UM Czestochowa' } })).toMatch(/sms\.from: must be at most 11/);
  });

  it('names the key of every error, on one line', () => {
    expect(configError({ ...minimal(), foo: 1 })).toBe('invalid office config: foo: unknown key');
    expect(configError({ ...minimal(), http: { port: 9000, foo: 1 } })).toBe('invalid office config: http.foo: unknown key');
    expect(configError({ ...minimal(), pickup: { holdDays: 7, extra: true } })).toBe('invalid office config: pickup.extra: unknown key');
    expect(configError({ ...minimal(), database: { url: 'postgres://x/y', ssl: true } })).toBe('invalid office config: database.ssl: unknown key');
    expect(configError({ ...minimal(), sms: { provider: 'twilio', path: '/p' } })).toMatch(/^invalid office config: sms\.provider: must be one of "smsapi", "file"$/);
    expect(configError({ ...minimal(), sms: { path: '/p' } })).toBe('invalid office config: sms.provider: required');
    const { signingKeyFile: _s, ...noKey } = minimal();
    expect(configError(noKey)).toBe('invalid office config: signingKeyFile: required');
    const { sms: _m, ...noSms } = minimal();
    expect(configError(noSms)).toMatch(/^invalid office config: sms: required/);
    expect(configError({ ...minimal(), http: { port: '9000' } })).toBe('invalid office config: http.port: expected number, got string');
    expect(configError({ ...minimal(), http: { port: 70_000 } })).toMatch(/http\.port: must be at most 65535/);
    expect(configError({ ...minimal(), http: { port: 90.5 } })).toMatch(/http\.port: must be a whole number/);
    expect(configError({ ...minimal(), pickup: { holdDays: 0 } })).toMatch(/pickup\.holdDays: must be at least 1/);
    expect(configError({ ...minimal(), database: { url: 'mysql://db/office' } })).toMatch(/database\.url: /);
    expect(configError({ ...minimal(), dataDir: '' })).toMatch(/dataDir: must be at least 1/);
    expect(configError({ ...minimal(), keyId: 7 })).toMatch(/keyId: expected string, got number/);
    // Two faults: both named.
    const two = configError({ ...minimal(), foo: 1, http: { port: '1' } });
    expect(two).toMatch(/foo: unknown key/);
    expect(two).toMatch(/http\.port: expected number/);
    expect(configError([])).toMatch(/^invalid office config: /);
    expect(configError(null)).toMatch(/^invalid office config: /);
  });
});

describe('loadOfficeConfig', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());
  const dir = (): string => {
    const d = tempDir('urz-office-config-');
    cleanup = d.cleanup;
    return d.dir;
  };

  it("takes relative paths from the config file's directory, not the working directory", () => {
    const d = dir();
    mkdirSync(join(d, 'etc'));
    const file = join(d, 'etc', 'office.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'data', signingKeyFile: 'feed.pem', sms: { provider: 'file', path: '../sms.jsonl' } }));
    const c = loadOfficeConfig(file);
    expect(c.dataDir).toBe(join(d, 'etc', 'data'));
    expect(c.signingKeyFile).toBe(join(d, 'etc', 'feed.pem'));
    expect(c.vaultKeyFile).toBe(join(d, 'etc', 'data', 'vault.key'));
    expect(c.sms).toMatchObject({ path: join(d, 'sms.jsonl') });
  });

  it('reports a file that is not JSON, or cannot be read, in one line', () => {
    const d = dir();
    const bad = join(d, 'bad.json');
    writeFileSync(bad, '{\n  "dataDir": "data",\n  oops\n}\n');
    const fail = (f: string): OfficeError => {
      try {
        loadOfficeConfig(f);
      } catch (e) {
        expect(e).toBeInstanceOf(OfficeError);
        expect((e as Error).message).not.toContain('\n');
        return e as OfficeError;
      }
      throw new Error('accepted');
    };
    const notJson = fail(bad);
    expect(notJson.code).toBe('config-invalid');
    expect(notJson.message).toMatch(/is not valid JSON/);
    expect(notJson.message).toContain(bad);
    const missing = fail(join(d, 'missing.json'));
    expect(missing.code).toBe('config-unreadable');
    expect(missing.message).toMatch(/cannot read office config .*missing\.json: ENOENT/);
    expect(fail(d).code).toBe('config-unreadable'); // a directory
    // An invalid file names the file and the key.
    const invalid = join(d, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...minimal(), http: { foo: 1 } }));
    expect(fail(invalid).message).toBe(`invalid office config ${invalid}: http.foo: unknown key`);
  });
});
