import { ShownIds } from './shown-ids.js';
import { Subscribable } from './subscribable.js';

/** What a tab needs of its browser: the page's own globals, unless a test gives others. */
export interface TabEnvironment {
  readonly sessionStorage?: Storage | undefined;
  readonly BroadcastChannel?: typeof BroadcastChannel | undefined;
  readonly locks?: LockManager | undefined;
  readonly document?: Document | undefined;
  readonly window?: Window | undefined;
}

/** What tabs of one browser tell each other (one BroadcastChannel per origin). */
type TabNews =
  /** These messages were shown: show them nowhere else. */
  | { readonly kind: 'shown'; readonly ids: readonly string[] }
  /** A live signal names messages leased to `tab`: it should consume them. */
  | { readonly kind: 'consume'; readonly tab: string }
  /**
   * A tab starts with this id (a duplicated tab copies its sessionStorage, and its id); `hello`
   * is a random value of this start, which the answer names.
   */
  | { readonly kind: 'hello'; readonly tab: string; readonly hello: string }
  /** The id of the start `hello` is taken by another tab: that newcomer must pick another. */
  | { readonly kind: 'taken'; readonly tab: string; readonly hello: string };

const CHANNEL = 'trpc-messages';
const LEADER_LOCK = 'trpc-messages:live';
const TAB_ID_KEY = 'trpc-messages:tab';

/**
 * The browser tab a page runs in: an id that survives reloads (messages are leased to it), the
 * ids of messages shown here or in the browser's other tabs, and the lead among the tabs, held by
 * one tab at a time (the one the user looked at last), for what a browser needs only once: its
 * live stream.
 */
export class BrowserTab {
  readonly shown: ShownIds;
  #id: string;
  readonly #env: TabEnvironment;
  readonly #channel: BroadcastChannel | undefined;
  readonly #consumeAsked = new Subscribable();
  readonly #hello = newTabId();

  constructor(env: TabEnvironment = pageEnvironment()) {
    this.#env = env;
    this.shown = new ShownIds(env.sessionStorage);
    this.#id = storedTabId(env.sessionStorage);
    const Channel = env.BroadcastChannel;
    this.#channel = Channel ? new Channel(CHANNEL) : undefined;
    this.#channel?.addEventListener('message', (event: MessageEvent<TabNews>) =>
      this.#hear(event.data),
    );
    this.shown.onShown((ids) => this.#tell({ kind: 'shown', ids }));
    this.#tell({ kind: 'hello', tab: this.#id, hello: this.#hello });
  }

  /** The tab's id: the holder of the leases on messages handed to it. */
  get id(): string {
    return this.#id;
  }

  /** Whether the user can see the tab (a page without a document counts as seen). */
  get visible(): boolean {
    return this.#env.document?.visibilityState !== 'hidden';
  }

  /**
   * Whether the user is looking at the tab: visible and focused (of two windows side by side,
   * the one they work in). Messages from elsewhere go to the tab in view.
   */
  get inView(): boolean {
    return this.visible && (this.#env.document?.hasFocus() ?? true);
  }

  /** Asks the tab `tab` (this one or another of the browser) to consume. */
  askToConsume(tab: string): void {
    if (tab === this.#id) this.#consumeAsked.emit();
    else this.#tell({ kind: 'consume', tab });
  }

  /** Calls `listener` whenever this tab is asked to consume; returns its stop. */
  onConsumeAsked = this.#consumeAsked.subscribe;

  /**
   * Runs `start` while this tab leads the browser's tabs, and the stop it returns once it no
   * longer does: at most one tab leads at a time. A tab takes the lead when it is shown or
   * focused and keeps it while hidden until another takes it, so the lead stays with the tab the
   * user looked at last, and a browser runs the task once however many tabs are open. Without
   * Web Locks, every visible tab leads. Returns the function that ends it all.
   */
  lead(start: () => () => void): () => void {
    const locks = this.#env.locks;
    const doc = this.#env.document;
    const win = this.#env.window;
    if (!locks) return this.#leadWhileVisible(start);
    let stopped = false;
    let stopTask: (() => void) | undefined;
    let release: (() => void) | undefined;
    let queued: AbortController | undefined;
    // Each request is a turn at the lead; a later request (a steal) ends the earlier ones.
    let turn = 0;
    const request = (steal: boolean) => {
      if (stopped) return;
      const mine = ++turn;
      queued?.abort();
      const withdraw = steal ? undefined : new AbortController();
      queued = withdraw;
      const options: LockOptions = withdraw ? { signal: withdraw.signal } : { steal: true };
      locks
        .request(LEADER_LOCK, options, () => {
          if (stopped || mine !== turn) return undefined;
          try {
            stopTask = start();
          } catch (error) {
            stopped = true; // a task that cannot start would fail again at every turn
            throw error;
          }
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        })
        .catch(() => {
          // Stolen by a tab the user turned to, or a queued request withdrawn.
        })
        .finally(() => {
          if (mine !== turn) return;
          stopTask?.();
          stopTask = undefined;
          release = undefined;
          // Queue for the lead again, should the new leader go away.
          request(false);
        });
    };
    // Shown or focused: a tab that does not lead takes the lead.
    const take = () => {
      if (release === undefined && this.visible) request(true);
    };
    doc?.addEventListener('visibilitychange', take);
    win?.addEventListener('focus', take);
    request(this.visible);
    return () => {
      stopped = true;
      doc?.removeEventListener('visibilitychange', take);
      win?.removeEventListener('focus', take);
      queued?.abort();
      stopTask?.();
      stopTask = undefined;
      release?.();
    };
  }

  /** Stops listening to the other tabs (for tests; a page's tab lives as long as the page). */
  close(): void {
    this.#channel?.close();
  }

  #leadWhileVisible(start: () => () => void): () => void {
    const doc = this.#env.document;
    let stopTask = this.visible ? start() : undefined;
    const onVisibility = () => {
      if (this.visible) stopTask ??= start();
      else {
        stopTask?.();
        stopTask = undefined;
      }
    };
    doc?.addEventListener('visibilitychange', onVisibility);
    return () => {
      doc?.removeEventListener('visibilitychange', onVisibility);
      stopTask?.();
      stopTask = undefined;
    };
  }

  #hear(news: TabNews): void {
    if (news.kind === 'shown') this.shown.add(news.ids, false);
    else if (news.kind === 'consume') {
      if (news.tab === this.#id) this.askToConsume(this.#id);
    } else if (news.kind === 'hello') {
      if (news.tab === this.#id) this.#tell({ kind: 'taken', tab: news.tab, hello: news.hello });
    } else if (news.hello === this.#hello && news.tab === this.#id) {
      this.#id = newTabId();
      storeTabId(this.#env.sessionStorage, this.#id);
    }
  }

  #tell(news: TabNews): void {
    this.#channel?.postMessage(news);
  }
}

let current: BrowserTab | undefined;

/** The tab this page runs in, made on first use; undefined outside a browser (server rendering). */
export function currentTab(): BrowserTab | undefined {
  if (typeof window === 'undefined' || typeof document === 'undefined') return undefined;
  current ??= new BrowserTab();
  return current;
}

/** The page's own globals, where they exist. */
function pageEnvironment(): TabEnvironment {
  return {
    sessionStorage: safely(() => globalThis.sessionStorage),
    BroadcastChannel: globalThis.BroadcastChannel,
    locks: globalThis.navigator?.locks,
    document: globalThis.document,
    window: globalThis.window,
  };
}

/** A new random tab id (128 bits, base64url). */
function newTabId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function storedTabId(storage: Storage | undefined): string {
  const stored = safely(() => storage?.getItem(TAB_ID_KEY));
  if (stored && /^[A-Za-z0-9_-]{8,64}$/.test(stored)) return stored;
  const id = newTabId();
  storeTabId(storage, id);
  return id;
}

function storeTabId(storage: Storage | undefined, id: string): void {
  safely(() => storage?.setItem(TAB_ID_KEY, id));
}

/** What `read` returns, or undefined where the browser refuses (storage disabled). */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
