import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompartmentConfig } from '../config/schema.js';
import type { CompartmentService } from '../core/compartments.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import { BadRequest, readJson, sendJson } from './http-util.js';

/** What a newcomer needs to play the demo: the staff login and the documents waiting at the office. */
export interface DemoNotes {
  readonly staff: { readonly id: string; readonly pin: string };
  readonly documents: readonly { readonly id: string; readonly phone: string; readonly code: string; readonly qr: string }[];
}

/**
 * The simulator panel's API (`/sim/api/...`), served only when the boards are simulated: it shows each
 * compartment's latch as the simulated board has it and lets a person shut a door, pry one open, or take a
 * board off the bus, as a resident, a vandal or a cut cable would.
 */
export class SimPanelApi {
  constructor(
    private readonly bus: SimulatedBus,
    private readonly layout: readonly CompartmentConfig[],
    private readonly compartments: CompartmentService,
    private readonly notes: DemoNotes | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/sim/api/state' && req.method === 'GET') {
      sendJson(res, 200, this.state());
      return true;
    }
    if (path !== '/sim/api/door' && path !== '/sim/api/board') return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, { result: 'method-not-allowed' }, { allow: 'POST' });
      return true;
    }
    try {
      const body = await readJson(req);
      if (path === '/sim/api/door') this.door(body);
      else this.board(body);
      sendJson(res, 200, this.state());
    } catch (e) {
      if (!(e instanceof BadRequest) && !(e instanceof RangeError)) throw e;
      sendJson(res, 400, { result: 'bad-request', error: e.message });
    }
    return true;
  }

  private state(): unknown {
    return {
      compartments: this.layout.map((c) => ({
        id: c.id, board: c.board, lock: c.lock, size: c.size,
        latched: this.bus.board(c.board).isLatched(c.lock),
        state: this.compartments.state(c.id) ?? 'fault',
      })),
      boards: this.bus.allBoards.map((b) => ({ address: b.address, protocol: b.protocol, offline: b.faults.offline, stuckLatch: b.faults.stuckLatch })),
      demo: this.notes,
    };
  }

  private door(body: Record<string, unknown>): void {
    const c = this.layout.find((x) => x.id === body.compartment);
    if (c === undefined) throw new BadRequest('no such compartment');
    const board = this.bus.board(c.board);
    if (body.action === 'close') board.closeDoor(c.lock);
    else if (body.action === 'force-open') board.forceOpen(c.lock);
    else throw new BadRequest('action must be "close" or "force-open"');
  }

  private board(body: Record<string, unknown>): void {
    const board = this.bus.board(Number(body.address));
    if (typeof body.offline === 'boolean') board.faults.offline = body.offline;
    if (typeof body.stuckLatch === 'boolean') board.faults.stuckLatch = body.stuckLatch;
  }
}
