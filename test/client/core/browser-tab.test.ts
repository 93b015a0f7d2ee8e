import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserTab, currentTab, type TabEnvironment } from '../../../client/core/browser-tab.js';
import { formatClientHeader, parseClientHeader } from '../../../shared/delivery.js';
import { Changes, MemoryStorage } from '../../fixtures/memory-storage.js';
import { failOnUnhandledRejections } from '../../fixtures/unhandled-rejections.js';

failOnUnhandledRejections();

const TAB_ID_KEY = 'trpc-messages:tab';
const SHOWN_KEY = 'trpc-messages:shown';
/** A tab id as BrowserTab makes them: 128 random bits, base64url. */
const NEW_TAB_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * A page's document and window as BrowserTab reads them: visibility, focus and their events.
 * `hide`, `show` and `focus` change them as a browser does, with the events it fires.
 */
function fakePage(visibilityState: DocumentVisibilityState = 'visible') {
  const document = Object.assign(new EventTarget(), {
    visibilityState,
    focused: visibilityState === 'visible',
    hasFocus(): boolean {
      return this.focused;
    },
  });
  const window = new EventTarget();
  return {
    // BrowserTab reads only the members above: the rest of a Document and a Window is not needed.
    env: { document: document as unknown as Document, window: window as unknown as Window },
    document,
    show() {
      document.visibilityState = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
    },
    hide() {
      document.visibilityState = 'hidden';
      document.focused = false;
      document.dispatchEvent(new Event('visibilitychange'));
    },
    focus() {
      document.focused = true;
      window.dispatchEvent(new Event('focus'));
    },
  };
}

/** A task a tab leads with: what it went through, `start` and `stop`, in order. */
class LeadTask {
  readonly events: ('start' | 'stop')[] = [];
  readonly #changes: Changes;

  constructor(changes: Changes) {
    this.#changes = changes;
  }

  get running(): boolean {
    return this.events.at(-1) === 'start';
  }

  readonly start = (): (() => void) => {
    this.events.push('start');
    this.#changes.notify();
    return () => {
      this.events.push('stop');
      this.#changes.notify();
    };
  };
}

/** More lock requests than any test makes, by far. */
const MAX_LOCK_REQUESTS = 1000;

/** A lock request, as the lock manager keeps it. */
interface LockRequest {
  readonly client: string;
  readonly name: string;
  /** Calls back the requester: the lock is theirs. */
  readonly grant: () => void;
  /** Rejects the request's promise (the lock was stolen, or the request withdrawn). */
  readonly reject: (reason: unknown) => void;
}

/**
 * The Web Locks of one browser, in memory, as the spec has them for exclusive locks: one holder
 * per name; requests queued and granted in order as the holder releases (its callback's promise
 * settles); `steal: true` takes the lock at once, rejecting the former holder's request with an
 * AbortError; `signal` withdraws a queued request, rejecting it with the signal's reason.
 */
class BrowserLocks {
  readonly #held = new Map<string, LockRequest>();
  readonly #queue: LockRequest[] = [];
  readonly #changes: Changes;
  /** How many requests were made. */
  requests = 0;

  constructor(changes: Changes) {
    this.#changes = changes;
  }

  /** The LockManager of one tab (Web Locks tell tabs apart by their clientId). */
  of(client: string): LockManager {
    return new TabLocks(this, client);
  }

  /** The clients holding a lock. */
  get holders(): string[] {
    return [...this.#held.values()].map((r) => r.client);
  }

  /** The clients waiting for a lock, first in line first. */
  get waiting(): string[] {
    return this.#queue.map((r) => r.client);
  }

  snapshot(): LockManagerSnapshot {
    const info = (r: LockRequest): LockInfo => ({
      name: r.name,
      mode: 'exclusive',
      clientId: r.client,
    });
    return { held: [...this.#held.values()].map(info), pending: this.#queue.map(info) };
  }

  request<T>(
    client: string,
    name: string,
    options: LockOptions,
    callback: LockGrantedCallback<T>,
  ): Promise<T> {
    this.requests++;
    // A tab that asks again and again has lost its way: fail the test rather than spin forever
    // (a synchronous throw ends the chain of requests; a rejection would be asked again).
    if (this.requests > MAX_LOCK_REQUESTS)
      throw new Error('trpc-messages test: runaway lock requests');
    const { mode = 'exclusive', ifAvailable = false, steal = false, signal } = options;
    if (mode !== 'exclusive' || ifAvailable) {
      return Promise.reject(new DOMException('not modelled here', 'NotSupportedError'));
    }
    if (steal && signal) {
      return Promise.reject(new DOMException('steal with a signal', 'NotSupportedError'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const request: LockRequest = {
        client,
        name,
        reject,
        grant: () => {
          // The callback runs in a task of its own once the lock is granted, as in browsers.
          queueMicrotask(() => {
            let returned: T;
            try {
              returned = callback({ name, mode: 'exclusive' });
            } catch (error) {
              this.#release(request);
              reject(error);
              return;
            }
            Promise.resolve(returned).then(
              () => {
                this.#release(request);
                resolve(returned);
              },
              (error: unknown) => {
                this.#release(request);
                reject(error);
              },
            );
          });
        },
      };
      if (steal) {
        const holder = this.#held.get(name);
        if (holder) {
          this.#held.delete(name);
          holder.reject(new DOMException('The lock was stolen.', 'AbortError'));
        }
        this.#hold(request);
      } else if (!this.#held.has(name) && !this.#queue.some((r) => r.name === name)) {
        this.#hold(request);
      } else {
        this.#queue.push(request);
        signal?.addEventListener(
          'abort',
          () => {
            const index = this.#queue.indexOf(request);
            if (index < 0) return; // granted already: a signal withdraws only a queued request
            this.#queue.splice(index, 1);
            reject(signal.reason);
            this.#changes.notify();
          },
          { once: true },
        );
      }
      this.#changes.notify();
    });
  }

  #hold(request: LockRequest): void {
    this.#held.set(request.name, request);
    request.grant();
  }

  #release(request: LockRequest): void {
    // A stolen lock is no longer the request's to release.
    if (this.#held.get(request.name) !== request) return;
    this.#held.delete(request.name);
    const next = this.#queue.findIndex((r) => r.name === request.name);
    if (next >= 0) {
      const [granted] = this.#queue.splice(next, 1);
      if (granted) this.#hold(granted);
    }
    this.#changes.notify();
  }
}

/** What one tab sees of its browser's Web Locks. */
class TabLocks implements LockManager {
  readonly #locks: BrowserLocks;
  readonly #client: string;

  constructor(locks: BrowserLocks, client: string) {
    this.#locks = locks;
    this.#client = client;
  }

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(
    name: string,
    optionsOrCallback: LockOptions | LockGrantedCallback<T>,
    callback?: LockGrantedCallback<T>,
  ): Promise<T> {
    if (typeof optionsOrCallback === 'function') {
      return this.#locks.request(this.#client, name, {}, optionsOrCallback);
    }
    if (!callback) return Promise.reject(new TypeError('no callback'));
    return this.#locks.request(this.#client, name, optionsOrCallback, callback);
  }

  query(): Promise<LockManagerSnapshot> {
    return Promise.resolve(this.#locks.snapshot());
  }
}

// Every tab a test opens, and every lead it starts, ended after it: tabs of one process share
// the BroadcastChannel 'trpc-messages', so a tab left open would hear the next test's tabs.
const opened: BrowserTab[] = [];
const leads: (() => void)[] = [];

afterEach(() => {
  for (const stop of leads.splice(0)) stop();
  for (const tab of opened.splice(0)) tab.close();
});

function openTab(env: TabEnvironment = {}): BrowserTab {
  const tab = new BrowserTab(env);
  opened.push(tab);
  return tab;
}

/** A tab of a browser with BroadcastChannel, over its own sessionStorage. */
function connectedTab(storage = new MemoryStorage(), env: TabEnvironment = {}): BrowserTab {
  return openTab({ sessionStorage: storage.storage, BroadcastChannel, ...env });
}

function lead(tab: BrowserTab, task: LeadTask): () => void {
  const stop = tab.lead(task.start);
  leads.push(stop);
  return stop;
}

/** Resolves the next time `tab` is asked to consume. */
function askedToConsume(tab: BrowserTab): Promise<void> {
  return new Promise((resolve) => {
    const stop = tab.onConsumeAsked(() => {
      stop();
      resolve();
    });
  });
}

describe('id', () => {
  it('is a new random id, kept in sessionStorage', () => {
    const storage = new MemoryStorage();
    const tab = openTab({ sessionStorage: storage.storage });
    expect(tab.id).toMatch(NEW_TAB_ID);
    expect(storage.items.get(TAB_ID_KEY)).toBe(tab.id);
    expect(openTab().id).not.toBe(tab.id);
  });

  it('is a tab id the server reads from the client header', () => {
    const tab = openTab();
    expect(parseClientHeader(formatClientHeader({ tab: tab.id, acks: [] }))?.tab).toBe(tab.id);
  });

  it('survives a reload: a new tab over the same sessionStorage reuses it', () => {
    const storage = new MemoryStorage();
    const before = connectedTab(storage);
    const { id } = before;
    before.close(); // the page goes away as it reloads
    expect(connectedTab(storage).id).toBe(id);
  });

  it('replaces a stored id that is not a tab id', () => {
    const storage = new MemoryStorage([[TAB_ID_KEY, 'short']]);
    const tab = openTab({ sessionStorage: storage.storage });
    expect(tab.id).toMatch(NEW_TAB_ID);
    expect(storage.items.get(TAB_ID_KEY)).toBe(tab.id);
  });

  it('is made even where sessionStorage refuses reads and writes', () => {
    const refusing = new MemoryStorage().storage;
    refusing.getItem = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    refusing.setItem = refusing.getItem;
    expect(openTab({ sessionStorage: refusing }).id).toMatch(NEW_TAB_ID);
  });

  it('is given up by a duplicated tab, told by the tab running with it; the first keeps it', async () => {
    const firstStorage = new MemoryStorage();
    const first = connectedTab(firstStorage);
    const { id } = first;
    const copyStorage = firstStorage.duplicate();
    const copy = connectedTab(copyStorage);
    expect(copy.id).toBe(id);
    await copyStorage.changed(TAB_ID_KEY, id);
    expect(copy.id).not.toBe(id);
    expect(copy.id).toMatch(NEW_TAB_ID);
    expect(copyStorage.items.get(TAB_ID_KEY)).toBe(copy.id);
    expect(first.id).toBe(id);
    expect(firstStorage.items.get(TAB_ID_KEY)).toBe(id);
    // What is leased to each id reaches its own tab.
    const firstAsked = vi.fn();
    first.onConsumeAsked(firstAsked);
    const copyAsked = askedToConsume(copy);
    first.askToConsume(copy.id);
    await copyAsked;
    const firstAskedAgain = askedToConsume(first);
    copy.askToConsume(id);
    await firstAskedAgain;
    expect(firstAsked).toHaveBeenCalledTimes(1);
  });

  it('is kept by the first tab when it is duplicated twice at once', async () => {
    const firstStorage = new MemoryStorage();
    const first = connectedTab(firstStorage);
    const { id } = first;
    const oneStorage = firstStorage.duplicate();
    const twoStorage = firstStorage.duplicate();
    const one = connectedTab(oneStorage);
    const two = connectedTab(twoStorage);
    await oneStorage.changed(TAB_ID_KEY, id);
    await twoStorage.changed(TAB_ID_KEY, id);
    // Messages from one tab arrive in order: once the first tab knows of an id shown in each
    // copy, it has heard all they told it before.
    const heard = firstStorage.changes.until(
      () => first.shown.has('one') && first.shown.has('two'),
    );
    one.shown.add(['one']);
    two.shown.add(['two']);
    await heard;
    expect(first.id).toBe(id);
  });
});

describe('askToConsume', () => {
  it("reaches the listeners of the tab it names, and not the asking tab's", async () => {
    const asking = connectedTab();
    const asked = connectedTab();
    const bystander = connectedTab();
    const askingListener = vi.fn();
    const bystanderListener = vi.fn();
    asking.onConsumeAsked(askingListener);
    bystander.onConsumeAsked(bystanderListener);
    const heard = askedToConsume(asked);
    asking.askToConsume(asked.id);
    await heard;
    expect(askingListener).not.toHaveBeenCalled();
    // Messages from one tab arrive in order: the bystander heard the first ask before this one.
    const bystanderHeard = askedToConsume(bystander);
    asking.askToConsume(bystander.id);
    await bystanderHeard;
    expect(bystanderListener).toHaveBeenCalledTimes(1);
    expect(askingListener).not.toHaveBeenCalled();
  });

  it('asks the tab itself at once when it names its own id', () => {
    const tab = openTab();
    const listener = vi.fn();
    tab.onConsumeAsked(listener);
    tab.askToConsume(tab.id);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('calls a listener until its stop is called, and one added twice twice', () => {
    const tab = openTab();
    const listener = vi.fn();
    const stop = tab.onConsumeAsked(listener);
    const stopSecond = tab.onConsumeAsked(listener);
    tab.askToConsume(tab.id);
    expect(listener).toHaveBeenCalledTimes(2);
    stop();
    tab.askToConsume(tab.id);
    expect(listener).toHaveBeenCalledTimes(3);
    stopSecond();
    tab.askToConsume(tab.id);
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('asks nobody, and does not throw, in a browser without BroadcastChannel', () => {
    const tab = openTab();
    const listener = vi.fn();
    tab.onConsumeAsked(listener);
    expect(() => tab.askToConsume('another-tab')).not.toThrow();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('shown', () => {
  it("knows the ids shown in the browser's other tabs, and stores them for a reload", async () => {
    const here = connectedTab();
    const thereStorage = new MemoryStorage();
    const there = connectedTab(thereStorage);
    const thereShown = vi.fn();
    there.shown.onShown(thereShown);
    const stored = thereStorage.changed(SHOWN_KEY, undefined);
    here.shown.add(['m1', 'm2']);
    await stored;
    expect(there.shown.has('m1')).toBe(true);
    expect(there.shown.has('m2')).toBe(true);
    expect(there.shown.has('m3')).toBe(false);
    expect(openTab({ sessionStorage: thereStorage.storage }).shown.has('m1')).toBe(true);
    // Not shown there: it tells no one, so the news does not echo between tabs.
    expect(thereShown).not.toHaveBeenCalled();
  });

  it('passes on nothing of the ids other tabs told it', async () => {
    const [here, there, third] = [new MemoryStorage(), new MemoryStorage(), new MemoryStorage()];
    const hereTab = connectedTab(here);
    const thereTab = connectedTab(there);
    const thirdTab = connectedTab(third);
    const heard = Promise.all([
      there.changes.until(() => thereTab.shown.has('first')),
      third.changes.until(() => thirdTab.shown.has('first')),
    ]);
    hereTab.shown.add(['first']);
    await heard;
    // Had `there` passed 'first' on, `third` would hear it again before 'second': one tab's
    // messages arrive in order.
    const added = vi.spyOn(thirdTab.shown, 'add');
    const second = third.changes.until(() => thirdTab.shown.has('second'));
    thereTab.shown.add(['second']);
    await second;
    expect(added.mock.calls).toEqual([[['second'], false]]);
  });
});

describe('visible and inView', () => {
  it('follow the document: visible while not hidden, in view while also focused', () => {
    const page = fakePage('visible');
    const tab = openTab(page.env);
    expect([tab.visible, tab.inView]).toEqual([true, true]);
    page.document.focused = false;
    expect([tab.visible, tab.inView]).toEqual([true, false]);
    page.hide();
    expect([tab.visible, tab.inView]).toEqual([false, false]);
    page.show();
    page.focus();
    expect([tab.visible, tab.inView]).toEqual([true, true]);
  });

  it('count a page without a document as seen', () => {
    const tab = openTab();
    expect([tab.visible, tab.inView]).toEqual([true, true]);
  });
});

describe('currentTab', () => {
  it('is undefined outside a browser (server rendering)', () => {
    expect(currentTab()).toBeUndefined();
  });
});

describe('lead, without Web Locks', () => {
  it('runs the task while the tab is visible and stops it while hidden', () => {
    const page = fakePage('visible');
    const task = new LeadTask(new Changes());
    lead(openTab(page.env), task);
    expect(task.events).toEqual(['start']);
    page.hide();
    expect(task.events).toEqual(['start', 'stop']);
    page.hide();
    expect(task.events).toEqual(['start', 'stop']);
    page.show();
    page.show();
    expect(task.events).toEqual(['start', 'stop', 'start']);
  });

  it('starts the task of a tab hidden at first once it is shown', () => {
    const page = fakePage('hidden');
    const task = new LeadTask(new Changes());
    lead(openTab(page.env), task);
    expect(task.events).toEqual([]);
    page.show();
    expect(task.events).toEqual(['start']);
  });

  it('runs the task in every visible tab', () => {
    const tasks = [new LeadTask(new Changes()), new LeadTask(new Changes())];
    for (const task of tasks) lead(openTab(fakePage('visible').env), task);
    expect(tasks.map((task) => task.running)).toEqual([true, true]);
  });

  it('runs the task of a page without a document until stopped', () => {
    const task = new LeadTask(new Changes());
    const stop = lead(openTab(), task);
    expect(task.events).toEqual(['start']);
    stop();
    expect(task.events).toEqual(['start', 'stop']);
  });

  it('stops the task when stopped, and no longer follows the visibility', () => {
    const page = fakePage('visible');
    const task = new LeadTask(new Changes());
    const stop = lead(openTab(page.env), task);
    stop();
    expect(task.events).toEqual(['start', 'stop']);
    page.hide();
    page.show();
    expect(task.events).toEqual(['start', 'stop']);
  });
});

describe('the test LockManager', () => {
  it('grants one request at a time, in the order they came', async () => {
    const changes = new Changes();
    const locks = new BrowserLocks(changes);
    const order: string[] = [];
    const granted = (client: string) => {
      order.push(client);
      changes.notify();
    };
    let releaseFirst: (() => void) | undefined;
    const first = locks.of('a').request('l', () => {
      granted('a');
      return new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
    });
    const second = locks.of('b').request('l', () => granted('b'));
    const third = locks.of('c').request('l', {}, () => granted('c'));
    await changes.until(() => order.length === 1);
    expect(locks.holders).toEqual(['a']);
    expect(locks.waiting).toEqual(['b', 'c']);
    releaseFirst?.();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(locks.holders).toEqual([]);
  });

  it("rejects the holder's request with an AbortError when another steals the lock", async () => {
    const locks = new BrowserLocks(new Changes());
    const held = locks.of('a').request('l', () => new Promise<void>(() => {}));
    const stealing = locks.of('b').request('l', { steal: true }, () => 'stolen');
    await expect(held).rejects.toSatisfy(
      (error) => error instanceof DOMException && error.name === 'AbortError',
    );
    await expect(stealing).resolves.toBe('stolen');
    expect(locks.holders).toEqual([]);
  });

  it('withdraws a queued request whose signal aborts, rejecting it with an AbortError', async () => {
    const changes = new Changes();
    const locks = new BrowserLocks(changes);
    let release: (() => void) | undefined;
    const held = locks.of('a').request(
      'l',
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const withdraw = new AbortController();
    const withdrawn = vi.fn();
    const queued = locks.of('b').request('l', { signal: withdraw.signal }, withdrawn);
    const next = locks.of('c').request('l', () => 'c');
    withdraw.abort();
    await expect(queued).rejects.toSatisfy(
      (error) => error instanceof DOMException && error.name === 'AbortError',
    );
    expect(locks.waiting).toEqual(['c']);
    await changes.until(() => release !== undefined);
    release?.();
    await held;
    await expect(next).resolves.toBe('c');
    expect(withdrawn).not.toHaveBeenCalled();
  });
});

describe('lead, with Web Locks', () => {
  /** A browser with Web Locks, its tabs' tasks and the changes tests wait for. */
  function browser() {
    const changes = new Changes();
    const locks = new BrowserLocks(changes);
    return {
      changes,
      locks,
      /** A tab named `name` on a page first `visibility`, and the task it leads with. */
      tab(name: string, visibility: DocumentVisibilityState) {
        const page = fakePage(visibility);
        const tab = openTab({ ...page.env, locks: locks.of(name) });
        return { page, tab, task: new LeadTask(changes) };
      },
    };
  }

  it('runs the task in one tab of two: a hidden tab waits for the lead', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    lead(a.tab, a.task);
    lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    expect(locks.holders).toEqual(['a']);
    expect(locks.waiting).toEqual(['b']);
    expect(b.task.events).toEqual([]);
  });

  it("gives the lead to a hidden tab alone: no other tab's task runs", async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'hidden');
    lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    expect(locks.holders).toEqual(['a']);
  });

  it("of two visible tabs, the last to lead takes the lead and the former leader's task stops", async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'visible');
    lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    lead(b.tab, b.task);
    await changes.until(() => b.task.running && !a.task.running && locks.waiting.length === 1);
    expect(a.task.events).toEqual(['start', 'stop']);
    expect(b.task.events).toEqual(['start']);
    expect(locks.holders).toEqual(['b']);
    expect(locks.waiting).toEqual(['a']);
  });

  it("hands the lead to the waiting tab when the leader's stop is called", async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    const stopA = lead(a.tab, a.task);
    lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    stopA();
    expect(a.task.events).toEqual(['start', 'stop']);
    await changes.until(() => b.task.running);
    expect(locks.holders).toEqual(['b']);
    // A stopped lead does not queue again.
    expect(locks.waiting).toEqual([]);
  });

  it('hands the lead back to a former leader waiting, when the leader stops', async () => {
    const { changes, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'visible');
    lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    const stopB = lead(b.tab, b.task);
    await changes.until(() => b.task.running && !a.task.running);
    stopB();
    await changes.until(() => a.task.running);
    expect(a.task.events).toEqual(['start', 'stop', 'start']);
    expect(b.task.events).toEqual(['start', 'stop']);
  });

  it("lets a tab that gets focus steal the lead, stopping the former leader's task", async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'visible');
    lead(b.tab, b.task);
    await changes.until(() => b.task.running);
    lead(a.tab, a.task);
    await changes.until(() => a.task.running && !b.task.running && locks.waiting.length === 1);
    // Two windows side by side: the user clicks into b's.
    b.page.focus();
    await changes.until(() => b.task.running && !a.task.running && locks.waiting.length === 1);
    expect(locks.holders).toEqual(['b']);
    expect(locks.waiting).toEqual(['a']);
    expect(a.task.events).toEqual(['start', 'stop']);
    expect(b.task.events).toEqual(['start', 'stop', 'start']);
  });

  it("lets a tab that becomes visible steal the lead, stopping the former leader's task", async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    lead(a.tab, a.task);
    lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    a.page.hide();
    b.page.show();
    await changes.until(() => b.task.running && !a.task.running && locks.waiting.length === 1);
    expect(locks.holders).toEqual(['b']);
    expect(locks.waiting).toEqual(['a']);
    expect(a.task.events).toEqual(['start', 'stop']);
    expect(b.task.events).toEqual(['start']);
  });

  it('starts the task once when a tab is shown and focused at once', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    lead(a.tab, a.task);
    lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    // Switching to a tab fires visibilitychange, then focus.
    b.page.show();
    b.page.focus();
    await changes.until(() => b.task.running && !a.task.running && locks.waiting.length === 1);
    expect(b.task.events).toEqual(['start']);
    expect(locks.holders).toEqual(['b']);
    expect(locks.waiting).toEqual(['a']);
  });

  it('keeps the lead of a tab hidden while it leads, until another tab takes it', async () => {
    const { changes, tab } = browser();
    const a = tab('a', 'visible');
    lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    a.page.hide();
    expect(a.task.events).toEqual(['start']);
    const b = tab('b', 'visible');
    lead(b.tab, b.task);
    await changes.until(() => b.task.running && !a.task.running);
    expect(a.task.events).toEqual(['start', 'stop']);
  });

  it('asks for nothing when the leader is shown or focused again: its task goes on', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    const requests = locks.requests;
    a.page.hide();
    a.page.show();
    a.page.focus();
    expect(locks.requests).toBe(requests);
    expect(a.task.events).toEqual(['start']);
  });

  it('takes nothing on focus while hidden', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    lead(a.tab, a.task);
    lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    const requests = locks.requests;
    b.page.focus();
    expect(locks.requests).toBe(requests);
    expect(locks.holders).toEqual(['a']);
  });

  it('withdraws the request of a waiting tab stopped: it never leads', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    const stopA = lead(a.tab, a.task);
    const stopB = lead(b.tab, b.task);
    await changes.until(() => a.task.running);
    stopB();
    expect(locks.waiting).toEqual([]);
    stopA();
    await changes.until(() => locks.holders.length === 0);
    b.page.show();
    b.page.focus();
    expect(locks.waiting).toEqual([]);
    expect(locks.holders).toEqual([]);
    expect(b.task.events).toEqual([]);
  });

  it('takes the lead no more once stopped, shown or focused', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'visible');
    const stopA = lead(a.tab, a.task);
    await changes.until(() => a.task.running);
    lead(b.tab, b.task);
    await changes.until(() => b.task.running && !a.task.running && locks.waiting.length === 1);
    stopA();
    expect(locks.waiting).toEqual([]);
    a.page.hide();
    a.page.show();
    a.page.focus();
    expect(locks.holders).toEqual(['b']);
    expect(a.task.events).toEqual(['start', 'stop']);
  });

  it('gives up the lead for good when its task cannot start, and hands it on', async () => {
    const { changes, locks, tab } = browser();
    const a = tab('a', 'visible');
    const b = tab('b', 'hidden');
    const failing = vi.fn((): (() => void) => {
      throw new Error('cannot start');
    });
    leads.push(a.tab.lead(failing));
    lead(b.tab, b.task);
    await changes.until(() => b.task.running);
    expect(failing).toHaveBeenCalledTimes(1);
    a.page.hide();
    a.page.show();
    a.page.focus();
    expect(locks.holders).toEqual(['b']);
    expect(locks.waiting).toEqual([]);
    expect(failing).toHaveBeenCalledTimes(1);
  });
});
