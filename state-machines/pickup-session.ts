import { assign, fromPromise, setup } from 'xstate';
import type { PickupCredentials as Credentials } from '../src/core/credential-check.js';
import type { Authorized, PickupAnswer as Answer } from '../src/core/pickup.js';

/**
 * A resident's visit at the screen: entering the code → checking → opening (the compartment is known, so the
 * screen can say "Skrytka nr 7 otwiera się…") → waiting for the door to close → done (with a receipt) or one of
 * the answers the resident can act on. No step that waits for the person times out sooner than `idleMs`
 * (at least 60 s); then the screen returns to the start.
 */

export interface PickupSessionContext {
  compartment: number | undefined;
  authorizationId: string | undefined;
  reason: string | undefined;
  retryAfterS: number | undefined;
  receiptId: string | undefined;
  readonly idleMs: number;
  readonly doorReminderMs: number;
}

export type PickupSessionEvent =
  | { type: 'SUBMIT'; credentials: Credentials }
  | { type: 'DOOR_CLOSED'; compartment: number; receiptId: string | undefined }
  | { type: 'RESET' };

type Step1 = Authorized | Answer;

export const pickupSessionMachine = setup({
  types: {
    context: {} as PickupSessionContext,
    events: {} as PickupSessionEvent,
    input: {} as { idleMs: number; doorReminderMs: number },
  },
  actors: {
    authorize: fromPromise<Step1, Credentials>(() => Promise.reject(new Error('authorize not provided'))),
    release: fromPromise<Answer, Authorized>(() => Promise.reject(new Error('release not provided'))),
  },
  delays: {
    idle: ({ context }) => Math.max(60_000, context.idleMs),
    doorReminder: ({ context }) => context.doorReminderMs,
  },
  guards: {
    authorized: ({ event }) => !('status' in (event as unknown as { output: Step1 }).output),
    lockedOut: ({ event }) => (event as unknown as { output: Answer }).output.status === 429,
    refused: ({ event }) => (event as unknown as { output: Answer }).output.status === 403,
    opened: ({ event }) => (event as unknown as { output: Answer }).output.status === 200,
    myDoor: ({ context, event }) => event.type === 'DOOR_CLOSED' && event.compartment === context.compartment,
  },
  actions: {
    clear: assign({ compartment: undefined, authorizationId: undefined, reason: undefined, retryAfterS: undefined, receiptId: undefined }),
    takeAuthorized: assign(({ event }) => {
      const a = (event as unknown as { output: Authorized }).output;
      return { compartment: a.compartment, authorizationId: a.authorizationId };
    }),
    takeAnswer: assign(({ event }) => {
      const a = (event as unknown as { output: Answer }).output;
      if (a.status === 429) return { retryAfterS: a.body.retryAfterS, reason: 'locked-out' };
      if (a.status === 403) return { reason: a.body.reason ?? 'rejected' };
      return { reason: 'unavailable' };
    }),
    takeReceipt: assign(({ event }) => (event.type === 'DOOR_CLOSED' ? { receiptId: event.receiptId } : {})),
  },
}).createMachine({
  id: 'pickupSession',
  context: ({ input }) => ({
    compartment: undefined, authorizationId: undefined, reason: undefined, retryAfterS: undefined, receiptId: undefined,
    idleMs: input.idleMs, doorReminderMs: input.doorReminderMs,
  }),
  initial: 'entering',
  states: {
    entering: {
      entry: 'clear',
      on: { SUBMIT: 'checking' },
    },
    checking: {
      invoke: {
        src: 'authorize',
        input: ({ event }) => (event as { credentials: Credentials }).credentials,
        onDone: [
          { guard: 'authorized', target: 'opening', actions: 'takeAuthorized' },
          { guard: 'lockedOut', target: 'lockedOut', actions: 'takeAnswer' },
          { guard: 'refused', target: 'refused', actions: 'takeAnswer' },
          { target: 'failed', actions: 'takeAnswer' },
        ],
        onError: { target: 'failed', actions: assign({ reason: 'unavailable' }) },
      },
    },
    opening: {
      invoke: {
        src: 'release',
        input: ({ context }) => ({ compartment: context.compartment!, authorizationId: context.authorizationId! }),
        onDone: [
          { guard: 'opened', target: 'waitingForClose' },
          { guard: 'refused', target: 'refused', actions: 'takeAnswer' },
          { target: 'failed', actions: 'takeAnswer' },
        ],
        onError: { target: 'failed', actions: assign({ reason: 'unavailable' }) },
      },
    },
    waitingForClose: {
      after: { doorReminder: 'reminding' },
      on: { DOOR_CLOSED: { guard: 'myDoor', target: 'done', actions: 'takeReceipt' } },
    },
    // The door is still open: the screen reminds the resident to shut it (the compartment raised its alarm).
    reminding: {
      on: { DOOR_CLOSED: { guard: 'myDoor', target: 'done', actions: 'takeReceipt' } },
    },
    done: { after: { idle: 'entering' }, on: { RESET: 'entering' } },
    refused: { after: { idle: 'entering' }, on: { RESET: 'entering', SUBMIT: 'checking' } },
    lockedOut: { after: { idle: 'entering' }, on: { RESET: 'entering' } },
    // The compartment did not open: staff have been told (compartment.fault); the resident is told so.
    failed: { after: { idle: 'entering' }, on: { RESET: 'entering' } },
  },
});
