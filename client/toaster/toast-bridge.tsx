import { toast } from 'sonner';
import type { MessageAction } from '../../shared/message.js';
import { logError } from '../core/log-error.js';
import type { ListedMessage, MessageList } from '../core/message-list.js';
import { ActionLabel, ToastContent } from './toast-content.js';
import { DEFAULT_DURATIONS, type ToastKind, toastKind } from './toast-kind.js';

/** The Toaster's id among sonner's toasters: its toasts go to it alone. */
export const TOASTER_ID = 'trpc-messages';

/** What the toasts are handed with: the Toaster's props and where focus is. */
export interface ToastSettings {
  /** Focus is in the toasts: none leaves until it goes (each then gets its full time again). */
  readonly held: boolean;
  /** How long each kind of toast stays, in ms, over DEFAULT_DURATIONS. */
  readonly durations?: Partial<Record<ToastKind, number>> | undefined;
  /** Told when a message's action fails (default: the console). */
  readonly onActionError?: ((error: unknown, message: ListedMessage) => void) | undefined;
}

/**
 * The bridge from a MessageList to sonner, from `start` until its stop: each entry of the list
 * handed to sonner as a toast, once (an entry that changes, a repeat or a replacement, updates
 * its toast in place), and taken off the screen as it leaves the list; a toast's action button
 * taken away as the action expires.
 */
export class ToastBridge {
  readonly #list: MessageList;
  readonly #runAction: (action: MessageAction) => Promise<unknown>;
  readonly #close: (id: string) => void;
  // Each entry as last handed to sonner: an entry handed already is not handed again.
  readonly #handed = new Map<string, ListedMessage>();
  // The timers that take each action's button away as it expires.
  readonly #expiries = new Map<string, ReturnType<typeof setTimeout>>();
  #settings: ToastSettings = { held: false };

  /** `close` takes a toast's entry off the list (as its close button or Escape does). */
  constructor(
    list: MessageList,
    runAction: (action: MessageAction) => Promise<unknown>,
    close: (id: string) => void,
  ) {
    this.#list = list;
    this.#runAction = runAction;
    this.#close = close;
  }

  /** Hands the list's entries now and as it changes; returns the stop (a restart hands all again). */
  start(): () => void {
    const unsubscribe = this.#list.subscribe(() => this.#sync());
    this.#sync();
    return () => {
      unsubscribe();
      for (const timer of this.#expiries.values()) clearTimeout(timer);
      this.#expiries.clear();
      this.#handed.clear();
    };
  }

  /** Hands the toasts from now on with `settings`; those on screen too, when `held` changed. */
  configure(settings: ToastSettings): void {
    const rehand = settings.held !== this.#settings.held;
    this.#settings = settings;
    if (rehand) for (const message of this.#handed.values()) this.#hand(message);
  }

  #sync(): void {
    const listed = new Set<string>();
    for (const message of this.#list.getSnapshot()) {
      listed.add(message.id);
      if (this.#handed.get(message.id) !== message) this.#hand(message);
    }
    // Entries dismissed elsewhere (useMessages' dismiss) leave the screen too.
    for (const id of this.#handed.keys()) {
      if (listed.has(id)) continue;
      this.#handed.delete(id);
      clearTimeout(this.#expiries.get(id));
      toast.dismiss(id);
    }
  }

  #hand(message: ListedMessage): void {
    const { id, action } = message;
    const { held, durations } = this.#settings;
    this.#handed.set(id, message);
    const kind = toastKind(message.level);
    // 0 is never; past 2^31 - 1 ms a timer would fire at once, and the page is long gone.
    const left = action ? (action.expiresAt || Infinity) - Date.now() : 0;
    clearTimeout(this.#expiries.get(id));
    if (left > 0 && left < 2 ** 31)
      this.#expiries.set(
        id,
        setTimeout(() => this.#hand(message), left),
      );
    let clicked = false;
    const gone = () => this.#close(id);
    // sonner's plain toast has no type: the debug kind.
    (kind === 'debug' ? toast : toast[kind])(
      <ToastContent message={message} alert={kind === 'error'} report={this.#list.shown} />,
      {
        id,
        toasterId: TOASTER_ID,
        className: message.tags,
        // No toast leaves while the keyboard is in the toasts (WCAG 2.2.1): sonner holds its
        // timers on hover only.
        duration: held ? Infinity : (durations?.[kind] ?? DEFAULT_DURATIONS[kind]),
        onDismiss: gone,
        onAutoClose: gone,
        // Set even when undefined: an update must take away the button of an expired action.
        action:
          action && left > 0
            ? {
                label: <ActionLabel message={message} />,
                onClick: () => {
                  if (clicked) return; // a second click as the toast leaves
                  clicked = true;
                  gone();
                  this.#runAction(action).catch((error: unknown) =>
                    (this.#settings.onActionError ?? logError)(error, message),
                  );
                },
              }
            : undefined,
      },
    );
  }
}
