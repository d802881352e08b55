import { afterAll, describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { staffSessionMachine } from '../../../state-machines/staff-session.js';
import { TransitionRecorder } from '../../helpers/transition-coverage.js';

const recorder = new TransitionRecorder();

function start() {
  const clock = new SimulatedClock();
  const actor = createActor(staffSessionMachine, { input: { staffId: 'S-1', idleLimitMs: 600_000 }, clock, inspect: recorder.inspect });
  actor.start();
  return { actor, clock };
}

describe('staff session machine', () => {
  it('ends after 10 minutes without use; every use restarts the count', () => {
    const s = start();
    s.clock.increment(599_000);
    s.actor.send({ type: 'USE' });
    s.clock.increment(599_000);
    expect(s.actor.getSnapshot().value).toBe('active');
    s.clock.increment(1_000);
    expect(s.actor.getSnapshot()).toMatchObject({ value: 'expired', status: 'done' });
  });

  it('ends on logout', () => {
    const s = start();
    s.actor.send({ type: 'LOGOUT' });
    expect(s.actor.getSnapshot()).toMatchObject({ value: 'loggedOut', status: 'done' });
  });

  it('ends when the office deactivates the member', () => {
    const s = start();
    s.actor.send({ type: 'DEACTIVATED' });
    expect(s.actor.getSnapshot()).toMatchObject({ value: 'deactivated', status: 'done' });
  });
});

afterAll(() => {
  expect(recorder.missing(staffSessionMachine)).toEqual([]);
});
