import { afterAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { lockerMachine, lockerMode, type LockerEmitted } from '../../../state-machines/locker.js';
import { TransitionRecorder } from '../../helpers/transition-coverage.js';

const recorder = new TransitionRecorder();

function start(boardsTotal = 2) {
  const modes: LockerEmitted[] = [];
  const actor = createActor(lockerMachine, { input: { boardsTotal }, inspect: recorder.inspect });
  actor.on('mode', (e) => modes.push(e));
  actor.start();
  return { actor, modes, mode: () => lockerMode(actor.getSnapshot().value) };
}

describe('locker machine', () => {
  it('waits for the reconcile, then goes in service', () => {
    const m = start();
    expect(m.mode()).toBe('starting');
    m.actor.send({ type: 'READY' });
    expect(m.mode()).toBe('inService');
  });

  it('facts that arrive while starting are judged once ready', () => {
    const m = start();
    m.actor.send({ type: 'BOARD_OFFLINE', address: 1 });
    m.actor.send({ type: 'BOARD_ONLINE', address: 1 });
    m.actor.send({ type: 'BOARD_OFFLINE', address: 0 });
    m.actor.send({ type: 'BUS_DOWN' });
    m.actor.send({ type: 'BUS_UP' });
    m.actor.send({ type: 'TAMPER', open: false });
    expect(m.mode()).toBe('starting');
    m.actor.send({ type: 'READY' });
    expect(m.mode()).toBe('degraded');
    expect(m.modes.at(-1)).toMatchObject({ mode: 'degraded', offline: [0] });
  });

  it('degraded while some boards are offline, back in service when they return', () => {
    const m = start();
    m.actor.send({ type: 'READY' });
    m.actor.send({ type: 'BOARD_OFFLINE', address: 1 });
    expect(m.mode()).toBe('degraded');
    m.actor.send({ type: 'BOARD_ONLINE', address: 1 });
    expect(m.mode()).toBe('inService');
  });

  it('out of service when every board is offline, the bus is down, or the service door is open', () => {
    const m = start();
    m.actor.send({ type: 'READY' });
    m.actor.send({ type: 'BOARD_OFFLINE', address: 0 });
    m.actor.send({ type: 'BOARD_OFFLINE', address: 1 });
    expect(m.mode()).toBe('outOfService');
    m.actor.send({ type: 'BOARD_ONLINE', address: 0 });
    m.actor.send({ type: 'BOARD_ONLINE', address: 1 });
    m.actor.send({ type: 'BUS_DOWN' });
    expect(m.mode()).toBe('outOfService');
    m.actor.send({ type: 'BUS_UP' });
    expect(m.mode()).toBe('inService');
    m.actor.send({ type: 'TAMPER', open: true });
    expect(m.modes.at(-1)).toMatchObject({ mode: 'outOfService', tamperOpen: true });
    m.actor.send({ type: 'TAMPER', open: false });
    expect(m.mode()).toBe('inService');
  });
});

afterAll(() => {
  expect(recorder.missing(lockerMachine)).toEqual([]);
});
