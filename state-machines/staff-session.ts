import { setup } from 'xstate';

/**
 * A staff member's session at the locker: it ends by logging out, after `idleLimitMs` without use
 * (10 minutes, contracts.md §3), or when the office deactivates the member. Every use restarts the idle timer.
 */
export interface StaffSessionInput {
  readonly staffId: string;
  readonly idleLimitMs: number;
}

export type StaffSessionEvent = { type: 'USE' } | { type: 'LOGOUT' } | { type: 'DEACTIVATED' };

export const staffSessionMachine = setup({
  types: {
    context: {} as { staffId: string; idleLimitMs: number },
    input: {} as StaffSessionInput,
    events: {} as StaffSessionEvent,
  },
  delays: { idleLimit: ({ context }) => context.idleLimitMs },
}).createMachine({
  id: 'staffSession',
  context: ({ input }) => ({ staffId: input.staffId, idleLimitMs: input.idleLimitMs }),
  initial: 'active',
  states: {
    active: {
      after: { idleLimit: 'expired' },
      on: {
        USE: { target: 'active', reenter: true },
        LOGOUT: 'loggedOut',
        DEACTIVATED: 'deactivated',
      },
    },
    expired: { type: 'final' },
    loggedOut: { type: 'final' },
    deactivated: { type: 'final' },
  },
});
