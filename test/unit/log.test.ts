import { describe, expect, it } from 'vitest';
import { createLogger, stdoutIsJournal } from '../../src/log.js';

function capture(journald: boolean) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', journald, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one JSON object a line with the level as a word and a syslog severity', () => {
    const { logger, lines } = capture(false);
    logger.info({ compartment: 7 }, 'opened');
    logger.error('bus down');
    logger.debug('poll');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.endsWith('\n') && l.indexOf('\n') === l.length - 1).toBe(true);
    const [info, error, debug] = lines.map((l) => JSON.parse(l));
    expect(info).toMatchObject({ level: 'info', severity: 6, compartment: 7, msg: 'opened' });
    expect(error).toMatchObject({ level: 'error', severity: 3 });
    expect(debug).toMatchObject({ level: 'debug', severity: 7 });
    expect(Date.parse(info.time)).not.toBeNaN();
  });

  it('under journald prefixes each line with <N> so the journal files it at that priority', () => {
    const { logger, lines } = capture(true);
    logger.warn('door left open');
    logger.fatal('bus gone');
    expect(lines[0]).toMatch(/^<4>\{/);
    expect(lines[1]).toMatch(/^<2>\{/);
    expect(JSON.parse(lines[0]!.slice(3))).toMatchObject({ level: 'warn', msg: 'door left open' });
  });

  it('redacts codes, phone numbers, PINs and tokens even when passed by mistake', () => {
    const { logger, lines } = capture(false);
    logger.info({ phone: '600100200', code: '12345678', pin: '1234', token: 'abcd', req: { code: '87654321', qr: 'URZ1;x;600100200;1' } }, 'attempt');
    const text = lines.join('');
    for (const secret of ['600100200', '12345678', '1234"', 'abcd', '87654321', 'URZ1']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ phone: '[redacted]', req: { code: '[redacted]' } });
  });

  it('recognises the journal only when stdout is the stream systemd named', () => {
    expect(stdoutIsJournal({})).toBe(false);
    expect(stdoutIsJournal({ JOURNAL_STREAM: '' })).toBe(false);
    expect(stdoutIsJournal({ JOURNAL_STREAM: '1:1' })).toBe(false);
  });
});
