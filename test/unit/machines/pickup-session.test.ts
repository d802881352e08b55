import { afterAll, describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { pickupSessionMachine } from '../../../state-machines/pickup-session.js';
import type { Authorized, PickupAnswer } from '../../../src/core/pickup.js';
import type { PickupCredentials } from '../../../src/core/credential-check.js';
import { TransitionRecorder } from '../../helpers/transition-coverage.js';

const recorder = new TransitionRecorder();

function start(step1: (Authorized | PickupAnswer | Error)[], step2: (PickupAnswer | Error)[] = []) {
  const clock = new SimulatedClock();
  const machine = pickupSessionMachine.provide({
    actors: {
      authorize: fromPromise<Authorized | PickupAnswer, PickupCredentials>(async () => {
        const r = step1.shift();
        if (r === undefined || r instanceof Error) throw r ?? new Error('none');
        return r;
      }),
      release: fromPromise<PickupAnswer, Authorized>(async () => {
        const r = step2.shift();
        if (r === undefined || r instanceof Error) throw r ?? new Error('none');
        return r;
      }),
    },
  });
  const actor = createActor(machine, { input: { idleMs: 60_000, doorReminderMs: 120_000 }, clock, inspect: recorder.inspect });
  actor.start();
  const settle = () => waitFor(actor, (s) => !s.matches('checking') && !s.matches('opening'), { timeout: 1_000 });
  return { actor, clock, settle };
}

const creds = { phone: '600100200', code: '12345678' };
const opened: PickupAnswer = { status: 200, body: { result: 'opened', compartment: 7 } };

describe('pickup session machine', () => {
  it('entering → checking → opening (compartment known) → waiting for the door → done with the receipt', async () => {
    const m = start([{ authorizationId: 'A-1', compartment: 7 }], [opened]);
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    expect(m.actor.getSnapshot()).toMatchObject({ value: 'waitingForClose', context: { compartment: 7 } });
    m.actor.send({ type: 'DOOR_CLOSED', compartment: 3, receiptId: 'R-X' }); // another compartment's door
    expect(m.actor.getSnapshot().value).toBe('waitingForClose');
    m.actor.send({ type: 'DOOR_CLOSED', compartment: 7, receiptId: 'R-1' });
    expect(m.actor.getSnapshot()).toMatchObject({ value: 'done', context: { receiptId: 'R-1' } });
    m.actor.send({ type: 'RESET' });
    expect(m.actor.getSnapshot()).toMatchObject({ value: 'entering', context: { compartment: undefined } });
  });

  it('a door left open: a reminder, then done when it shuts; done returns to the start after a minute', async () => {
    const m = start([{ authorizationId: 'A-1', compartment: 7 }], [opened]);
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    m.clock.increment(120_000);
    expect(m.actor.getSnapshot().value).toBe('reminding');
    m.actor.send({ type: 'DOOR_CLOSED', compartment: 7, receiptId: 'R-1' });
    expect(m.actor.getSnapshot().value).toBe('done');
    m.clock.increment(60_000);
    expect(m.actor.getSnapshot().value).toBe('entering');
  });

  it('a wrong code: refused, may try again at once; after a minute back to the start', async () => {
    const m = start([{ status: 403, body: { result: 'rejected' } }, { status: 403, body: { result: 'rejected', reason: 'expired' } }]);
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    expect(m.actor.getSnapshot()).toMatchObject({ value: 'refused', context: { reason: 'rejected' } });
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    expect(m.actor.getSnapshot().context.reason).toBe('expired');
    m.clock.increment(59_999);
    expect(m.actor.getSnapshot().value).toBe('refused');
    m.clock.increment(1);
    expect(m.actor.getSnapshot().value).toBe('entering');
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
  });

  it('locked out with the time to wait; reset or a minute returns to the start', async () => {
    const m = start([{ status: 429, body: { result: 'locked-out', retryAfterS: 840 } }, { status: 429, body: { result: 'locked-out', retryAfterS: 800 } }]);
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    expect(m.actor.getSnapshot()).toMatchObject({ value: 'lockedOut', context: { retryAfterS: 840 } });
    m.actor.send({ type: 'RESET' });
    m.actor.send({ type: 'SUBMIT', credentials: creds });
    await m.settle();
    m.clock.increment(60_000);
    expect(m.actor.getSnapshot().value).toBe('entering');
  });

  it('the locker unavailable, the check failing, or the compartment not opening: failed, staff told', async () => {
    const a = start([{ status: 503, body: { result: 'unavailable' } }]);
    a.actor.send({ type: 'SUBMIT', credentials: creds });
    await a.settle();
    expect(a.actor.getSnapshot()).toMatchObject({ value: 'failed', context: { reason: 'unavailable' } });
    a.actor.send({ type: 'RESET' });
    const b = start([new Error('database gone')]);
    b.actor.send({ type: 'SUBMIT', credentials: creds });
    await b.settle();
    expect(b.actor.getSnapshot().value).toBe('failed');
    b.clock.increment(60_000);
    expect(b.actor.getSnapshot().value).toBe('entering');
    const c = start([{ authorizationId: 'A-1', compartment: 7 }], [{ status: 503, body: { result: 'unavailable' } }]);
    c.actor.send({ type: 'SUBMIT', credentials: creds });
    await c.settle();
    expect(c.actor.getSnapshot().value).toBe('failed');
    const d = start([{ authorizationId: 'A-1', compartment: 7 }], [new Error('bus')]);
    d.actor.send({ type: 'SUBMIT', credentials: creds });
    await d.settle();
    expect(d.actor.getSnapshot().value).toBe('failed');
    const e = start([{ authorizationId: 'A-1', compartment: 7 }], [{ status: 403, body: { result: 'rejected', reason: 'already-open' } }]);
    e.actor.send({ type: 'SUBMIT', credentials: creds });
    await e.settle();
    expect(e.actor.getSnapshot()).toMatchObject({ value: 'refused', context: { reason: 'already-open' } });
    e.actor.send({ type: 'RESET' });
    expect(e.actor.getSnapshot().value).toBe('entering');
  });
});

afterAll(() => {
  expect(recorder.missing(pickupSessionMachine)).toEqual([]);
});
