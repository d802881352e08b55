import { createActor, fromPromise, waitFor, type Actor } from 'xstate';
import type { Logger } from '../log.js';
import type { PickupCredentials } from '../core/credential-check.js';
import type { CompartmentChange } from '../core/compartments.js';
import type { LockerCore } from '../core/locker-core.js';
import type { Authorized, PickupAnswer, PickupRefusal } from '../core/pickup.js';
import { pickupSessionMachine } from '../../state-machines/pickup-session.js';
import type { EventStream } from './event-stream.js';

type Session = Actor<typeof pickupSessionMachine>;

export interface ResidentSessionOptions {
  /** A step that waits for the resident returns to the start after this long (at least 60 s). */
  readonly idleMs: number;
  /** The door still open after this long: the screen asks the resident to shut it. */
  readonly doorReminderMs: number;
}

/** What a screen shows of its pickup, pushed as the `pickup` event. */
export interface PickupProgress {
  readonly state: string;
  readonly compartment?: number | undefined;
  readonly reason?: string | undefined;
  readonly retryAfterS?: number | undefined;
  readonly receipt?: { readonly id: string; readonly svg: string } | undefined;
}

const waitingForDoor = ['waitingForClose', 'reminding'];
const maxWaiting = 32;

/**
 * Every `POST /api/pickup` runs one pickup-session machine: checking, then opening (the screen learns which
 * compartment before the latch is even confirmed), then waiting for the door to shut, then done with the
 * receipt. The HTTP answer is the contract's; a screen that sent its session id also sees each step live.
 */
export class ResidentSessions {
  private readonly waiting = new Set<{ actor: Session; session: string | undefined }>();
  private readonly onChange = (c: CompartmentChange): void => this.compartmentChanged(c);

  constructor(
    private readonly core: LockerCore,
    private readonly events: EventStream,
    private readonly o: ResidentSessionOptions,
    private readonly log: Logger,
  ) {
    core.compartments.changes.on('change', this.onChange);
  }

  async pickup(creds: PickupCredentials, session: string | undefined): Promise<PickupAnswer> {
    const machine = pickupSessionMachine.provide({
      actors: {
        authorize: fromPromise<Authorized | PickupAnswer, PickupCredentials>(({ input }) => Promise.resolve(this.core.authorizePickup(input))),
        release: fromPromise<PickupAnswer, Authorized>(({ input }) => this.core.releasePickup(input)),
      },
    });
    const actor = createActor(machine, { input: { idleMs: this.o.idleMs, doorReminderMs: this.o.doorReminderMs } });
    if (session !== undefined) {
      let last = '';
      actor.subscribe((s) => {
        const state = String(s.value);
        // `done` is published by finish(), with the receipt.
        if (state === last || state === 'entering' || state === 'done') return;
        last = state;
        this.publish(session, { state, compartment: s.context.compartment, reason: s.context.reason, retryAfterS: s.context.retryAfterS });
      });
    }
    actor.start();
    actor.send({ type: 'SUBMIT', credentials: creds });
    const s = await waitFor(actor, (x) => !x.matches('checking') && !x.matches('opening'), { timeout: Infinity });
    const answer = answerOf(String(s.value), s.context);
    if (waitingForDoor.includes(String(s.value))) this.keepWaiting(actor, session);
    else actor.stop();
    return answer;
  }

  stop(): void {
    this.core.compartments.changes.off('change', this.onChange);
    for (const w of this.waiting) w.actor.stop();
    this.waiting.clear();
  }

  private keepWaiting(actor: Session, session: string | undefined): void {
    const entry = { actor, session };
    this.waiting.add(entry);
    // A door nobody ever shuts must not keep machines forever: the oldest gives up first.
    if (this.waiting.size > maxWaiting) {
      const oldest = this.waiting.values().next().value!;
      oldest.actor.stop();
      this.waiting.delete(oldest);
    }
  }

  private compartmentChanged(c: CompartmentChange): void {
    if (c.type !== 'closed' || c.purpose !== 'release') return;
    for (const w of this.waiting) {
      const s = w.actor.getSnapshot();
      if (s.context.compartment !== c.id || s.context.authorizationId === undefined) continue;
      this.waiting.delete(w);
      void this.finish(w.actor, s.context.authorizationId, w.session);
    }
  }

  private async finish(actor: Session, authorizationId: string, session: string | undefined): Promise<void> {
    try {
      const r = await this.core.receipt(authorizationId);
      actor.send({ type: 'DOOR_CLOSED', compartment: actor.getSnapshot().context.compartment!, receiptId: r?.receipt.id });
      if (session !== undefined) {
        const s = actor.getSnapshot();
        this.publish(session, { state: String(s.value), compartment: s.context.compartment, receipt: r === undefined ? undefined : { id: r.receipt.id, svg: r.svg } });
      }
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not finish a pickup session');
    } finally {
      actor.stop();
    }
  }

  private publish(session: string, p: PickupProgress): void {
    this.events.publish('pickup', p, session);
  }
}

function answerOf(state: string, c: { compartment: number | undefined; reason: string | undefined; retryAfterS: number | undefined }): PickupAnswer {
  switch (state) {
    case 'waitingForClose':
    case 'reminding':
      return { status: 200, body: { result: 'opened', compartment: c.compartment! } };
    case 'refused':
      return c.reason === undefined || c.reason === 'rejected'
        ? { status: 403, body: { result: 'rejected' } }
        : { status: 403, body: { result: 'rejected', reason: c.reason as PickupRefusal } };
    case 'lockedOut':
      return { status: 429, body: { result: 'locked-out', retryAfterS: c.retryAfterS ?? 0 } };
    default:
      return { status: 503, body: { result: 'unavailable' } };
  }
}
