import { assign, emit, setup } from 'xstate';

/**
 * The whole locker's mode: starting (self-check and reconcile) → in service; degraded while some boards are
 * offline (their compartments are unavailable, the others work); out of service while the bus is down, no
 * board answers, or the service door (tamper switch) is open.
 */
export interface LockerContext {
  boardsTotal: number;
  offline: number[];
  busUp: boolean;
  tamperOpen: boolean;
}

export type LockerEvent =
  | { type: 'READY' }
  | { type: 'BOARD_ONLINE'; address: number }
  | { type: 'BOARD_OFFLINE'; address: number }
  | { type: 'BUS_UP' }
  | { type: 'BUS_DOWN' }
  | { type: 'TAMPER'; open: boolean };

export type LockerMode = 'starting' | 'inService' | 'degraded' | 'outOfService';

export type LockerEmitted = { type: 'mode'; mode: Exclude<LockerMode, 'starting'>; offline: number[]; busUp: boolean; tamperOpen: boolean };

export const lockerMachine = setup({
  types: {
    context: {} as LockerContext,
    events: {} as LockerEvent,
    input: {} as { boardsTotal: number },
    emitted: {} as LockerEmitted,
  },
  guards: {
    unusable: ({ context }) => !context.busUp || context.tamperOpen || context.offline.length >= context.boardsTotal,
    partly: ({ context }) => context.offline.length > 0,
  },
  actions: {
    markOnline: assign({ offline: ({ context, event }) => (event.type === 'BOARD_ONLINE' ? context.offline.filter((a) => a !== event.address) : context.offline) }),
    markOffline: assign({
      offline: ({ context, event }) => (event.type === 'BOARD_OFFLINE' ? [...new Set([...context.offline, event.address])].sort((a, b) => a - b) : context.offline),
    }),
    busUp: assign({ busUp: true }),
    busDown: assign({ busUp: false }),
    tamper: assign({ tamperOpen: ({ context, event }) => (event.type === 'TAMPER' ? event.open : context.tamperOpen) }),
    announce: emit(({ context }, params: { mode: Exclude<LockerMode, 'starting'> }) => ({
      type: 'mode' as const, mode: params.mode, offline: context.offline, busUp: context.busUp, tamperOpen: context.tamperOpen,
    })),
  },
}).createMachine({
  id: 'locker',
  context: ({ input }) => ({ boardsTotal: input.boardsTotal, offline: [], busUp: true, tamperOpen: false }),
  initial: 'starting',
  states: {
    // Facts arrive while starting too; they are only judged once the reconcile is done.
    starting: {
      on: {
        READY: 'running',
        BOARD_ONLINE: { actions: 'markOnline' },
        BOARD_OFFLINE: { actions: 'markOffline' },
        BUS_UP: { actions: 'busUp' },
        BUS_DOWN: { actions: 'busDown' },
        TAMPER: { actions: 'tamper' },
      },
    },
    running: {
      initial: 'deciding',
      on: {
        BOARD_ONLINE: { actions: 'markOnline', target: '.deciding' },
        BOARD_OFFLINE: { actions: 'markOffline', target: '.deciding' },
        BUS_UP: { actions: 'busUp', target: '.deciding' },
        BUS_DOWN: { actions: 'busDown', target: '.deciding' },
        TAMPER: { actions: 'tamper', target: '.deciding' },
      },
      states: {
        deciding: {
          always: [
            { guard: 'unusable', target: 'outOfService' },
            { guard: 'partly', target: 'degraded' },
            { target: 'inService' },
          ],
        },
        inService: { entry: { type: 'announce', params: { mode: 'inService' } } },
        degraded: { entry: { type: 'announce', params: { mode: 'degraded' } } },
        outOfService: { entry: { type: 'announce', params: { mode: 'outOfService' } } },
      },
    },
  },
});

export function lockerMode(value: unknown): LockerMode {
  if (value === 'starting') return 'starting';
  const inner = (value as { running?: string }).running;
  return inner === 'inService' || inner === 'degraded' || inner === 'outOfService' ? inner : 'starting';
}
