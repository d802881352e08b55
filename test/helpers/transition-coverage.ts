import type { AnyStateMachine, InspectionEvent } from 'xstate';

interface TransitionLike {
  source: { id: string; transitions: Map<string, TransitionLike[]>; always?: TransitionLike[] };
  eventType: string;
}

interface NodeLike {
  id: string;
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
  states: Record<string, NodeLike>;
}

function key(t: TransitionLike): string {
  const list = t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  const index = list.indexOf(t);
  return `${t.source.id} --${t.eventType === '' ? 'always' : t.eventType}#${index}`;
}

/** Every transition a machine defines (events, `always`, `after`, invoke done/error), each with its guard branch. */
export function allTransitions(machine: AnyStateMachine): Set<string> {
  const out = new Set<string>();
  const walk = (node: NodeLike): void => {
    for (const list of node.transitions.values()) list.forEach((t) => out.add(key(t)));
    (node.always ?? []).forEach((t) => out.add(key(t)));
    Object.values(node.states).forEach(walk);
  };
  walk(machine.root as unknown as NodeLike);
  return out;
}

/** Records the transitions an actor takes; pass `inspect` to createActor. */
export class TransitionRecorder {
  readonly taken = new Set<string>();

  readonly inspect = (e: InspectionEvent): void => {
    if (e.type !== '@xstate.microstep') return;
    for (const t of (e as unknown as { _transitions: TransitionLike[] })._transitions) this.taken.add(key(t));
  };

  missing(machine: AnyStateMachine): string[] {
    return [...allTransitions(machine)].filter((k) => !this.taken.has(k)).sort();
  }
}
