import { assign, emit, fromPromise, setup } from 'xstate';

/**
 * One compartment's life: free → (opening for a load) → open → occupied → (opening for a release) → open →
 * free; plus fault, disabled and forced-open. The machine never sees bytes: its `unlock` actor is the hardware
 * layer's guarded unlock, provided by the service, and what it decides it announces as emitted events, which
 * the service writes to the database (state, audit, outbox) in one transaction each.
 *
 * It is never restored from a snapshot (that would re-run an in-flight unlock): the service builds it from the
 * database and the board's latch state through `input`.
 */

export type Purpose = 'load' | 'release' | 'retrieve' | 'technician';
export type UnlockOutcome = 'released' | 'not-released' | 'unknown';
/** Where a rebuilt machine starts. `open` means an unlock of `purpose` was confirmed before a restart. */
export type RestingState = 'free' | 'occupied' | 'fault' | 'disabled' | 'open';

export interface CompartmentInput {
  readonly id: number;
  readonly state: RestingState;
  readonly hasDocument: boolean;
  /** The board's latch as last read; undefined when the board has not answered yet. */
  readonly latched: boolean | undefined;
  readonly purpose?: Purpose | undefined;
  readonly authorizationId?: string | undefined;
  readonly faultKind?: string | undefined;
  /** How long a door may stay open before `door-left-open`. */
  readonly doorOpenLimitMs: number;
}

export interface CompartmentContext {
  readonly id: number;
  hasDocument: boolean;
  purpose: Purpose | undefined;
  authorizationId: string | undefined;
  attempts: number;
  faultKind: string | undefined;
  readonly doorOpenLimitMs: number;
  readonly initial: RestingState;
  readonly latchedAtStart: boolean | undefined;
}

export type CompartmentEvent =
  | { type: 'OPEN'; purpose: Purpose; authorizationId?: string | undefined }
  | { type: 'LATCH_RELEASED' }
  | { type: 'LATCH_CLOSED' }
  | { type: 'DISABLE' }
  | { type: 'ENABLE' }
  | { type: 'REPORT_FAULT'; kind: string };

/** What the machine announces; the service persists each. */
export type CompartmentEmitted =
  | { type: 'opened'; id: number; purpose: Purpose; authorizationId: string | undefined }
  | { type: 'open-refused'; id: number; purpose: Purpose; authorizationId: string | undefined; error: string }
  | { type: 'closed'; id: number; purpose: Purpose; authorizationId: string | undefined; hasDocument: boolean }
  | { type: 'fault'; id: number; kind: string; purpose: Purpose | undefined; authorizationId: string | undefined }
  | { type: 'alarm'; id: number; kind: 'forced-open' | 'door-left-open' }
  | { type: 'state'; id: number; state: 'free' | 'occupied' | 'fault' | 'disabled' };

export const compartmentMachine = setup({
  types: {
    context: {} as CompartmentContext,
    events: {} as CompartmentEvent,
    input: {} as CompartmentInput,
    emitted: {} as CompartmentEmitted,
  },
  actors: {
    // Provided by the service: the hardware layer's guarded unlock, resolving with its read-back outcome.
    unlock: fromPromise<UnlockOutcome, { id: number; purpose: Purpose }>(() => Promise.reject(new Error('unlock actor not provided'))),
  },
  delays: {
    doorOpenLimit: ({ context }) => context.doorOpenLimitMs,
  },
  guards: {
    startsOpen: ({ context }) => context.initial === 'open' && context.latchedAtStart !== true,
    startsOpenButLatched: ({ context }) => context.initial === 'open' && context.latchedAtStart === true,
    releasedWithoutCommand: ({ context }) => context.initial !== 'open' && context.initial !== 'disabled' && context.latchedAtStart === false,
    startsFree: ({ context }) => context.initial === 'free',
    startsOccupied: ({ context }) => context.initial === 'occupied',
    startsFault: ({ context }) => context.initial === 'fault',
    hasDocument: ({ context }) => context.hasDocument,
    canLoad: ({ event }) => event.type === 'OPEN' && (event.purpose === 'load' || event.purpose === 'technician'),
    canTakeOut: ({ event }) => event.type === 'OPEN' && (event.purpose === 'release' || event.purpose === 'retrieve' || event.purpose === 'technician'),
    technicianOnly: ({ event }) => event.type === 'OPEN' && event.purpose === 'technician',
    released: ({ event }) => (event as unknown as { output: UnlockOutcome }).output === 'released',
    // One retry after a confirmed failure, never after an unknown outcome.
    retryable: ({ context, event }) => (event as unknown as { output: UnlockOutcome }).output === 'not-released' && context.attempts < 2,
    confirmedFailure: ({ event }) => (event as unknown as { output: UnlockOutcome }).output === 'not-released',
  },
  actions: {
    takeRequest: assign(({ event }) => {
      if (event.type !== 'OPEN') return {};
      return { purpose: event.purpose, authorizationId: event.authorizationId, attempts: 0 };
    }),
    countAttempt: assign(({ context }) => ({ attempts: context.attempts + 1 })),
    settleClosed: assign(({ context }) => {
      const hasDocument = context.purpose === 'load' ? true : context.purpose === 'technician' ? context.hasDocument : false;
      return { hasDocument };
    }),
    clearRequest: assign({ purpose: undefined, authorizationId: undefined, attempts: 0 }),
    setFault: assign((_, params: { kind: string }) => ({ faultKind: params.kind })),
    clearFault: assign({ faultKind: undefined }),
  },
}).createMachine({
  id: 'compartment',
  context: ({ input }) => ({
    id: input.id,
    hasDocument: input.hasDocument,
    purpose: input.purpose,
    authorizationId: input.authorizationId,
    attempts: 0,
    faultKind: input.faultKind,
    doorOpenLimitMs: input.doorOpenLimitMs,
    initial: input.state,
    latchedAtStart: input.latched,
  }),
  initial: 'restoring',
  states: {
    // Rebuilt from the database and the latch as read, never from a snapshot.
    restoring: {
      always: [
        { guard: 'startsOpen', target: 'open' },
        // An unlock was confirmed before the restart and the door is already shut again: it was used.
        { guard: 'startsOpenButLatched', target: 'settling' },
        { guard: 'releasedWithoutCommand', target: 'forcedOpen' },
        { guard: 'startsFree', target: 'free' },
        { guard: 'startsOccupied', target: 'occupied' },
        { guard: 'startsFault', target: 'fault' },
        { target: 'disabled' },
      ],
    },
    free: {
      entry: emit(({ context }) => ({ type: 'state' as const, id: context.id, state: 'free' as const })),
      on: {
        OPEN: { guard: 'canLoad', target: 'opening', actions: 'takeRequest' },
        LATCH_RELEASED: 'forcedOpen',
        DISABLE: 'disabled',
        REPORT_FAULT: { target: 'fault', actions: { type: 'setFault', params: ({ event }) => ({ kind: event.kind }) } },
      },
    },
    occupied: {
      entry: emit(({ context }) => ({ type: 'state' as const, id: context.id, state: 'occupied' as const })),
      on: {
        OPEN: { guard: 'canTakeOut', target: 'opening', actions: 'takeRequest' },
        LATCH_RELEASED: 'forcedOpen',
        DISABLE: 'disabled',
        REPORT_FAULT: { target: 'fault', actions: { type: 'setFault', params: ({ event }) => ({ kind: event.kind }) } },
      },
    },
    opening: {
      entry: 'countAttempt',
      invoke: {
        src: 'unlock',
        input: ({ context }) => ({ id: context.id, purpose: context.purpose ?? 'technician' }),
        onDone: [
          { guard: 'released', target: 'open' },
          { guard: 'retryable', target: 'opening', reenter: true },
          {
            guard: 'confirmedFailure',
            target: 'fault',
            actions: [
              { type: 'setFault', params: { kind: 'unlock-failed' } },
              emit(({ context }) => ({ type: 'fault' as const, id: context.id, kind: 'unlock-failed', purpose: context.purpose, authorizationId: context.authorizationId })),
            ],
          },
          {
            target: 'fault',
            actions: [
              { type: 'setFault', params: { kind: 'unlock-unknown' } },
              emit(({ context }) => ({ type: 'fault' as const, id: context.id, kind: 'unlock-unknown', purpose: context.purpose, authorizationId: context.authorizationId })),
            ],
          },
        ],
        // Nothing was sent (bus down, rate limit): back to rest, the request refused.
        onError: [
          {
            guard: 'hasDocument',
            target: 'occupied',
            actions: [
              emit(({ context, event }) => ({ type: 'open-refused' as const, id: context.id, purpose: context.purpose ?? 'technician', authorizationId: context.authorizationId, error: String((event.error as Error)?.message ?? event.error) })),
              'clearRequest',
            ],
          },
          {
            target: 'free',
            actions: [
              emit(({ context, event }) => ({ type: 'open-refused' as const, id: context.id, purpose: context.purpose ?? 'technician', authorizationId: context.authorizationId, error: String((event.error as Error)?.message ?? event.error) })),
              'clearRequest',
            ],
          },
        ],
      },
    },
    open: {
      entry: emit(({ context }) => ({ type: 'opened' as const, id: context.id, purpose: context.purpose ?? 'technician', authorizationId: context.authorizationId })),
      after: { doorOpenLimit: 'doorLeftOpen' },
      on: { LATCH_CLOSED: 'settling' },
    },
    doorLeftOpen: {
      entry: emit(({ context }) => ({ type: 'alarm' as const, id: context.id, kind: 'door-left-open' as const })),
      on: { LATCH_CLOSED: 'settling' },
    },
    // The door is shut after an open we commanded: the purpose decides what the compartment now holds.
    settling: {
      entry: [
        'settleClosed',
        emit(({ context }) => ({ type: 'closed' as const, id: context.id, purpose: context.purpose ?? 'technician', authorizationId: context.authorizationId, hasDocument: context.hasDocument })),
        'clearRequest',
      ],
      always: [{ guard: 'hasDocument', target: 'occupied' }, { target: 'free' }],
    },
    fault: {
      entry: emit(({ context }) => ({ type: 'state' as const, id: context.id, state: 'fault' as const })),
      on: {
        OPEN: { guard: 'technicianOnly', target: 'opening', actions: 'takeRequest' },
        ENABLE: [
          { guard: 'hasDocument', target: 'occupied', actions: 'clearFault' },
          { target: 'free', actions: 'clearFault' },
        ],
        LATCH_RELEASED: 'forcedOpen',
        DISABLE: 'disabled',
      },
    },
    disabled: {
      entry: emit(({ context }) => ({ type: 'state' as const, id: context.id, state: 'disabled' as const })),
      on: {
        OPEN: { guard: 'technicianOnly', target: 'opening', actions: 'takeRequest' },
        ENABLE: [{ guard: 'hasDocument', target: 'occupied' }, { target: 'free' }],
        LATCH_RELEASED: 'forcedOpen',
      },
    },
    // A latch released with no command of ours: someone forced the door. Staff must look inside.
    forcedOpen: {
      entry: emit(({ context }) => ({ type: 'alarm' as const, id: context.id, kind: 'forced-open' as const })),
      on: {
        LATCH_CLOSED: { target: 'fault', actions: { type: 'setFault', params: { kind: 'forced-open' } } },
      },
    },
  },
});

/** The contract's state names (contracts.md §4) for a machine state. */
export function publicState(value: string, purpose: Purpose | undefined): 'free' | 'reserved' | 'occupied' | 'open' | 'fault' | 'disabled' {
  switch (value) {
    case 'free':
    case 'occupied':
    case 'fault':
    case 'disabled':
      return value;
    case 'opening':
      return purpose === 'load' ? 'reserved' : 'occupied';
    case 'open':
    case 'doorLeftOpen':
    case 'forcedOpen':
      return 'open';
    default:
      return 'fault';
  }
}
