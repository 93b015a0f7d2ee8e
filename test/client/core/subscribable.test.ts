import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Subscribable } from '../../../client/core/subscribable.js';

describe('Subscribable', () => {
  it('calls every listener with what is emitted, until its stop is called', () => {
    const subscribable = new Subscribable<[number]>();
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = subscribable.subscribe(first);
    subscribable.subscribe(second);
    subscribable.emit(1);
    stopFirst();
    subscribable.emit(2);
    expect(first.mock.calls).toEqual([[1]]);
    expect(second.mock.calls).toEqual([[1], [2]]);
  });

  it('calls a listener subscribed twice twice, each stop ending one, a second stop nothing', () => {
    const subscribable = new Subscribable();
    const listener = vi.fn();
    const stop = subscribable.subscribe(listener);
    subscribable.subscribe(listener);
    subscribable.emit();
    stop();
    stop();
    subscribable.emit();
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('calls a listener subscribed during an emit from the next emit on', () => {
    const subscribable = new Subscribable();
    const late = vi.fn();
    subscribable.subscribe(() => subscribable.subscribe(late));
    subscribable.emit();
    expect(late).not.toHaveBeenCalled();
    subscribable.emit();
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('works detached: subscribe handed out on its own, as a consume trigger is', () => {
    const { subscribe } = new Subscribable();
    expect(() => subscribe(() => {})()).not.toThrow();
  });

  it('calls each registration live at the emit, once, for any subscribes, stops and emits', () => {
    const step = fc.oneof(
      fc.constant({ kind: 'subscribe' as const }),
      fc.record({ kind: fc.constant('stop' as const), which: fc.nat(20) }),
      fc.constant({ kind: 'emit' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const subscribable = new Subscribable();
        const calls: number[] = [];
        const stops: (() => void)[] = [];
        // The model: which registrations are live, and the calls each emit makes.
        const live: boolean[] = [];
        const expected: number[] = [];
        for (const next of steps) {
          if (next.kind === 'subscribe') {
            const registration = stops.length;
            stops.push(subscribable.subscribe(() => calls.push(registration)));
            live.push(true);
          } else if (next.kind === 'stop') {
            if (stops.length === 0) continue;
            const which = next.which % stops.length;
            stops[which]?.();
            live[which] = false;
          } else {
            subscribable.emit();
            expected.push(...live.flatMap((on, registration) => (on ? [registration] : [])));
          }
        }
        return isDeepStrictEqual(calls, expected);
      }),
      { numRuns: 100 },
    );
  });
});
