import type { StoredMessage } from '../../shared/message.js';
import { assertLeaseFor, type HeldLease, type StoreChange } from './message-store.js';

/**
 * How the holder of a take's lease starts (see `applyChange`): what a take holds is handed to no
 * other take until its lease ends.
 */
export const TAKE_HOLDER_PREFIX = 'take:';

/** A key's messages, oldest first, and their leases by message id (none: every one is free). */
export interface KeyState {
  readonly messages: readonly StoredMessage[];
  readonly leases?: ReadonlyMap<string, HeldLease> | undefined;
}

/** What one step leaves of a key, and what it did. */
export interface Applied {
  /** The key's messages after the step, oldest first. */
  readonly messages: readonly StoredMessage[];
  /** Their leases after the step (undefined: none); a new map whenever they changed. */
  readonly leases: ReadonlyMap<string, HeldLease> | undefined;
  /** What the step hands out, oldest first. */
  readonly handedOut: StoredMessage[];
  /** What left the key: acknowledged, pushed out past `maxMessages`, or taken. */
  readonly removed: StoredMessage[];
  /** Of those, the ones pushed out past `maxMessages`, oldest first: dropped unread. */
  readonly trimmed: StoredMessage[];
}

/**
 * The delivery rule: what one atomic step of a store does to a key, the same for every store
 * (the memory store and the cookie run it; RedisStore's script mirrors it, and a model-based
 * test holds them together). In this order:
 * 1. the acknowledged ids are removed (unknown ids are ignored);
 * 2. the added messages are appended, leased to the change's holder when it has a lease;
 * 3. past `maxMessages`, the oldest are pushed out (`trimmed`);
 * 4. messages are handed out (see `HandOut`), their leases renewed to the change's holder:
 *    'own' those it holds, whatever their lease's age; 'all' those and every message no one
 *    holds under an unexpired lease; 'take' every message but those another take holds under
 *    an unexpired lease, leased to the taker when the change has a lease (the store removes
 *    them in a step of its own once they are received), else removed at once.
 * A lease of `ms` given at `now` holds until `now + ms`; one whose end is at or before `now` is free.
 */
export function applyChange(
  state: KeyState,
  change: StoreChange,
  now: number,
  maxMessages = Number.POSITIVE_INFINITY,
): Applied {
  assertLeaseFor(change);
  const { added = [], acked = [], lease, handOut = 'none' } = change;
  const removed: StoredMessage[] = [];
  let messages = state.messages;
  // Copied on the first change: a step that changes no lease allocates no map.
  let leases = state.leases;
  const writable = () => {
    if (leases === state.leases) leases = new Map(state.leases);
    return leases as Map<string, HeldLease>;
  };

  if (acked.length > 0) {
    const ids = new Set(acked);
    const kept = messages.filter((message) => !ids.has(message.id));
    if (kept.length < messages.length) {
      for (const message of messages) if (ids.has(message.id)) removed.push(message);
      if (leases) for (const message of removed) writable().delete(message.id);
      messages = kept;
    }
  }

  let trimmed: StoredMessage[] = [];
  if (added.length > 0) {
    messages = [...messages, ...added];
    if (lease) {
      const held = { holder: lease.holder, until: now + lease.ms };
      for (const message of added) writable().set(message.id, held);
    }
    const excess = messages.length - maxMessages;
    if (excess > 0) {
      trimmed = messages.slice(0, excess);
      messages = messages.slice(excess);
      if (leases) for (const message of trimmed) writable().delete(message.id);
      removed.push(...trimmed);
    }
  }

  // The commonest take, by a client that does not acknowledge, of a key no one leases: all of it.
  if (handOut === 'take' && !lease && !leases) {
    removed.push(...messages);
    return { messages: [], leases: undefined, handedOut: [...messages], removed, trimmed };
  }
  const handedOut: StoredMessage[] = [];
  if (handOut !== 'none' && messages.length > 0) {
    const renewed = lease && { holder: lease.holder, until: now + lease.ms };
    const staying: StoredMessage[] = [];
    for (const message of messages) {
      const held = leases?.get(message.id);
      const free = held === undefined || held.until <= now;
      const mine = held !== undefined && held.holder === lease?.holder;
      const hands =
        handOut === 'take'
          ? free || !held.holder.startsWith(TAKE_HOLDER_PREFIX)
          : mine || (handOut === 'all' && free);
      if (!hands) {
        staying.push(message);
        continue;
      }
      handedOut.push(message);
      if (renewed) writable().set(message.id, renewed);
      else if (leases?.has(message.id)) writable().delete(message.id);
    }
    // A take without a lease removes what it hands out.
    if (handOut === 'take' && !renewed) {
      removed.push(...handedOut);
      messages = staying;
    }
  }
  return {
    messages,
    leases: leases && leases.size > 0 ? leases : undefined,
    handedOut,
    removed,
    trimmed,
  };
}
