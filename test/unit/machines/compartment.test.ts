import { afterAll, describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { compartmentMachine, publicState, type CompartmentEmitted, type CompartmentInput, type Purpose, type UnlockOutcome } from '../../../state-machines/compartment.js';
import { TransitionRecorder } from '../../helpers/transition-coverage.js';

const recorder = new TransitionRecorder();

function start(input: Partial<CompartmentInput>, outcomes: (UnlockOutcome | Error)[] = []) {
  const clock = new SimulatedClock();
  const emitted: CompartmentEmitted[] = [];
  const unlocks: string[] = [];
  const machine = compartmentMachine.provide({
    actors: {
      unlock: fromPromise<UnlockOutcome, { id: number; purpose: Purpose }>(async ({ input: i }) => {
        unlocks.push(`${i.id}:${i.purpose}`);
        const o = outcomes.shift();
        if (o === undefined) throw new Error('test gave no outcome');
        if (o instanceof Error) throw o;
        return o;
      }),
    },
  });
  const actor = createActor(machine, {
    input: { id: 7, state: 'free', hasDocument: false, latched: true, doorOpenLimitMs: 60_000, ...input },
    clock,
    inspect: recorder.inspect,
  });
  actor.on('*', (e) => emitted.push(e as CompartmentEmitted));
  actor.subscribe({ error: (e) => { throw e; } });
  actor.start();
  const settled = () => waitFor(actor, (s) => !s.matches('opening'), { timeout: 2_000 });
  return { actor, clock, emitted, unlocks, settled };
}

const kinds = (e: CompartmentEmitted[]) => e.filter((x) => x.type !== 'state').map((x) => ('kind' in x ? `${x.type}:${x.kind}` : x.type));

describe('compartment machine', () => {
  it('load: free → opening → open → occupied when the door shuts', async () => {
    const m = start({}, ['released']);
    m.actor.send({ type: 'OPEN', purpose: 'load', authorizationId: 'A-1' });
    await m.settled();
    expect(m.actor.getSnapshot().value).toBe('open');
    m.actor.send({ type: 'LATCH_CLOSED' });
    expect(m.actor.getSnapshot().value).toBe('occupied');
    expect(m.emitted.find((e) => e.type === 'closed')).toMatchObject({ purpose: 'load', authorizationId: 'A-1', hasDocument: true });
    expect(m.unlocks).toEqual(['7:load']);
  });

  it('release: occupied → open → free; retrieve the same way', async () => {
    for (const purpose of ['release', 'retrieve'] as const) {
      const m = start({ state: 'occupied', hasDocument: true }, ['released']);
      m.actor.send({ type: 'OPEN', purpose, authorizationId: 'A-1' });
      await m.settled();
      m.actor.send({ type: 'LATCH_CLOSED' });
      expect(m.actor.getSnapshot().value).toBe('free');
      expect(m.emitted.find((e) => e.type === 'closed')).toMatchObject({ purpose, hasDocument: false });
    }
  });

  it('refuses what does not fit the state: no release from a free compartment, no load into an occupied one', () => {
    const free = start({});
    free.actor.send({ type: 'OPEN', purpose: 'release' });
    expect(free.actor.getSnapshot().value).toBe('free');
    const occ = start({ state: 'occupied', hasDocument: true });
    occ.actor.send({ type: 'OPEN', purpose: 'load' });
    expect(occ.actor.getSnapshot().value).toBe('occupied');
    expect([...free.unlocks, ...occ.unlocks]).toEqual([]);
  });

  it('one retry after a confirmed failure, then fault unlock-failed', async () => {
    const m = start({ state: 'occupied', hasDocument: true }, ['not-released', 'not-released']);
    m.actor.send({ type: 'OPEN', purpose: 'release', authorizationId: 'A-1' });
    await waitFor(m.actor, (s) => s.matches('fault'), { timeout: 2_000 });
    expect(m.unlocks).toEqual(['7:release', '7:release']);
    expect(kinds(m.emitted)).toEqual(['fault:unlock-failed']);
    expect(m.actor.getSnapshot().context.hasDocument).toBe(true);
  });

  it('a retry that works opens the door', async () => {
    const m = start({ state: 'occupied', hasDocument: true }, ['not-released', 'released']);
    m.actor.send({ type: 'OPEN', purpose: 'release' });
    await waitFor(m.actor, (s) => s.matches('open'), { timeout: 2_000 });
    expect(m.unlocks).toHaveLength(2);
  });

  it('an unknown outcome is never retried: fault unlock-unknown', async () => {
    const m = start({ state: 'occupied', hasDocument: true }, ['unknown']);
    m.actor.send({ type: 'OPEN', purpose: 'release' });
    await m.settled();
    expect(m.actor.getSnapshot().value).toBe('fault');
    expect(m.unlocks).toEqual(['7:release']);
    expect(kinds(m.emitted)).toEqual(['fault:unlock-unknown']);
  });

  it('nothing sent (bus down or rate limit): back to rest, the request refused', async () => {
    const free = start({}, [new Error('bus closed')]);
    free.actor.send({ type: 'OPEN', purpose: 'load' });
    await free.settled();
    expect(free.actor.getSnapshot().value).toBe('free');
    const occ = start({ state: 'occupied', hasDocument: true }, [new Error('rate limited')]);
    occ.actor.send({ type: 'OPEN', purpose: 'release' });
    await occ.settled();
    expect(occ.actor.getSnapshot().value).toBe('occupied');
    expect(occ.emitted.find((e) => e.type === 'open-refused')).toMatchObject({ error: 'rate limited' });
  });

  it('a door left open raises door-left-open; shutting it still completes the pickup', async () => {
    const m = start({ state: 'occupied', hasDocument: true }, ['released']);
    m.actor.send({ type: 'OPEN', purpose: 'release' });
    await m.settled();
    m.clock.increment(59_000);
    expect(m.actor.getSnapshot().value).toBe('open');
    m.clock.increment(1_000);
    expect(m.actor.getSnapshot().value).toBe('doorLeftOpen');
    expect(kinds(m.emitted)).toContain('alarm:door-left-open');
    m.actor.send({ type: 'LATCH_CLOSED' });
    expect(m.actor.getSnapshot().value).toBe('free');
  });

  it('a latch released with no command is a forced open; once shut the compartment waits in fault', () => {
    for (const state of ['free', 'occupied', 'fault', 'disabled'] as const) {
      const m = start({ state, hasDocument: state === 'occupied' });
      m.actor.send({ type: 'LATCH_RELEASED' });
      expect(m.actor.getSnapshot().value).toBe('forcedOpen');
      expect(kinds(m.emitted)).toEqual(['alarm:forced-open']);
      m.actor.send({ type: 'LATCH_CLOSED' });
      expect(m.actor.getSnapshot()).toMatchObject({ value: 'fault', context: { faultKind: 'forced-open' } });
    }
  });

  it('fault and disabled: only a technician may open; enable returns to free or occupied', async () => {
    const f = start({ state: 'fault', hasDocument: true, faultKind: 'unlock-failed' }, ['released']);
    f.actor.send({ type: 'OPEN', purpose: 'release' });
    expect(f.actor.getSnapshot().value).toBe('fault');
    f.actor.send({ type: 'ENABLE' });
    expect(f.actor.getSnapshot()).toMatchObject({ value: 'occupied', context: { faultKind: undefined } });
    const g = start({ state: 'fault', hasDocument: false });
    g.actor.send({ type: 'ENABLE' });
    expect(g.actor.getSnapshot().value).toBe('free');
    const h = start({ state: 'fault', hasDocument: false });
    h.actor.send({ type: 'DISABLE' });
    expect(h.actor.getSnapshot().value).toBe('disabled');

    const d = start({ state: 'disabled', hasDocument: false }, ['released']);
    d.actor.send({ type: 'OPEN', purpose: 'technician' });
    await d.settled();
    d.actor.send({ type: 'LATCH_CLOSED' });
    expect(d.actor.getSnapshot().value).toBe('free');
    const e = start({ state: 'disabled', hasDocument: true });
    e.actor.send({ type: 'ENABLE' });
    expect(e.actor.getSnapshot().value).toBe('occupied');
    const e2 = start({ state: 'disabled', hasDocument: false });
    e2.actor.send({ type: 'ENABLE' });
    expect(e2.actor.getSnapshot().value).toBe('free');

    const t = start({ state: 'fault', hasDocument: true }, ['released']);
    t.actor.send({ type: 'OPEN', purpose: 'technician' });
    await t.settled();
    t.actor.send({ type: 'LATCH_CLOSED' });
    expect(t.actor.getSnapshot().value).toBe('occupied');
  });

  it('staff can disable a free or occupied compartment and report one faulty', () => {
    const a = start({});
    a.actor.send({ type: 'DISABLE' });
    expect(a.actor.getSnapshot().value).toBe('disabled');
    const b = start({ state: 'occupied', hasDocument: true });
    b.actor.send({ type: 'DISABLE' });
    expect(b.actor.getSnapshot().value).toBe('disabled');
    const c = start({});
    c.actor.send({ type: 'REPORT_FAULT', kind: 'door-damaged' });
    expect(c.actor.getSnapshot()).toMatchObject({ value: 'fault', context: { faultKind: 'door-damaged' } });
    const d = start({ state: 'occupied', hasDocument: true });
    d.actor.send({ type: 'REPORT_FAULT', kind: 'jammed' });
    expect(d.actor.getSnapshot().value).toBe('fault');
  });

  it('rebuilt after a restart: an open confirmed before it waits for the door; one shut meanwhile completes', () => {
    const open = start({ state: 'open', hasDocument: true, purpose: 'release', authorizationId: 'A-1', latched: false });
    expect(open.actor.getSnapshot().value).toBe('open');
    expect(open.unlocks).toEqual([]);
    const shut = start({ state: 'open', hasDocument: true, purpose: 'release', authorizationId: 'A-1', latched: true });
    expect(shut.actor.getSnapshot().value).toBe('free');
    expect(shut.emitted.find((e) => e.type === 'closed')).toMatchObject({ purpose: 'release', authorizationId: 'A-1' });
    const unknownLatch = start({ state: 'open', hasDocument: false, purpose: 'load', latched: undefined });
    expect(unknownLatch.actor.getSnapshot().value).toBe('open');
    const forced = start({ state: 'occupied', hasDocument: true, latched: false });
    expect(forced.actor.getSnapshot().value).toBe('forcedOpen');
    const disabledReleased = start({ state: 'disabled', hasDocument: false, latched: false });
    expect(disabledReleased.actor.getSnapshot().value).toBe('disabled');
  });

  it('maps its states to the contract’s names', () => {
    expect(publicState('opening', 'load')).toBe('reserved');
    expect(publicState('opening', 'release')).toBe('occupied');
    expect(publicState('doorLeftOpen', undefined)).toBe('open');
    expect(publicState('forcedOpen', undefined)).toBe('open');
    expect(publicState('settling', undefined)).toBe('fault');
    expect(publicState('free', undefined)).toBe('free');
  });
});

afterAll(() => {
  // Every transition of the machine, with every guard branch, was taken by some test above.
  expect(recorder.missing(compartmentMachine)).toEqual([]);
});
