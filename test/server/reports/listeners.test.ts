import { describe, expect, it, vi } from 'vitest';
import { Listeners } from '../../../server/reports/listeners.js';

// That a weakly held listener goes once collected is shown in a process of its own, under
// --expose-gc: test/server/trpc/drops.test.ts.

describe('Listeners', () => {
  it('tells every listener, held strongly or weakly, and says how many it told', () => {
    const listeners = new Listeners<string>();
    const strong = vi.fn();
    const weak = vi.fn();
    listeners.add(strong);
    listeners.add(weak, { weak: true });

    expect(listeners.emit('drop')).toBe(2);
    expect(strong).toHaveBeenCalledWith('drop');
    expect(weak).toHaveBeenCalledWith('drop');
    expect(listeners.size).toBe(2);
  });

  it('lets one listener listen twice, and each stop end one of its registrations', () => {
    const listeners = new Listeners<number>();
    const listener = vi.fn();
    const stop = listeners.add(listener);
    const stopWeak = listeners.add(listener, { weak: true });
    listeners.add(listener);

    expect(listeners.emit(1)).toBe(3);
    stop();
    stopWeak();
    expect(listeners.emit(2)).toBe(1);
    expect(listener).toHaveBeenCalledTimes(4);
    expect(listeners.size).toBe(1);
  });

  it('tells no one, and says so, when no one listens', () => {
    expect(new Listeners<number>().emit(1)).toBe(0);
  });
});
