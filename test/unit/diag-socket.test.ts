import { describe, expect, it } from 'vitest';
import { diagSocketPath, installedAdminSocket } from '../../src/admin/diag-socket.js';

/** `urzedomat diag` on an installed locker finds the daemon without reading its 0600 config. */
describe('the admin socket diag asks', () => {
  const fromConfig = (): string => '/from/config.sock';
  const installed = (p: string): boolean => p === installedAdminSocket;
  const nothing = (): boolean => false;

  it('--socket wins; then the config that was named', () => {
    expect(diagSocketPath({ socket: '/given.sock', configNamed: true }, fromConfig, installed)).toBe('/given.sock');
    expect(diagSocketPath({ configNamed: true }, fromConfig, installed)).toBe('/from/config.sock');
  });

  it('with no config named, the installed daemon’s socket when it exists (README step 6: plain `diag selftest`)', () => {
    const read: string[] = [];
    expect(diagSocketPath({ configNamed: false }, () => { read.push('config'); return '/sim.sock'; }, installed)).toBe(installedAdminSocket);
    expect(read).toEqual([]);
  });

  it('in a checkout without an installed locker, the simulation’s', () => {
    expect(diagSocketPath({ configNamed: false }, () => '/sim.sock', nothing)).toBe('/sim.sock');
  });
});
