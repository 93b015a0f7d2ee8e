'use client';

import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useSyncExternalStore,
} from 'react';
import { Toaster as Sonner, type ToasterProps as SonnerProps, toast } from 'sonner';
import type { Translation } from '../../shared/catalog.js';
import { ERROR, INFO, SUCCESS, WARNING } from '../../shared/levels.js';
import { logError } from '../core/log-error.js';
import type { ListedMessage } from '../core/message-list.js';
import type { MessagesClient } from '../core/messages-client.js';
import { useClientMessages } from '../react/use-client-messages.js';
import { useIsomorphicLayoutEffect } from '../react/use-isomorphic-layout-effect.js';
import { useToastFocus } from './use-toast-focus.js';

/** The kind of toast a level shows as: the nearest built-in level at or below it. */
export type ToastKind = 'debug' | 'info' | 'success' | 'warning' | 'error';

/** How long each kind of toast stays, in ms, by default (errors stay until dismissed). */
export const DEFAULT_DURATIONS: Readonly<Record<ToastKind, number>> = {
  debug: 3000,
  info: 4000,
  success: 4000,
  warning: 8000,
  error: Number.POSITIVE_INFINITY,
};

/** The kind of toast a message of `level` shows as. */
export function toastKind(level: number): ToastKind {
  if (level >= ERROR) return 'error';
  if (level >= WARNING) return 'warning';
  if (level >= SUCCESS) return 'success';
  if (level >= INFO) return 'info';
  return 'debug';
}

/** Props of `<Toaster />`: the client, and sonner's props to override its defaults. */
export interface ToasterProps extends Omit<SonnerProps, 'id'> {
  /** The app's tRPC client, whose router mounts the messages router at `messages`. */
  readonly client: MessagesClient;
  /** How long each kind of toast stays, in ms; merged over DEFAULT_DURATIONS (for new toasts). */
  readonly durations?: Partial<Record<ToastKind, number>>;
  /**
   * Renders a message's content; `text` is what the Toaster shows by default (the translation,
   * or the text, as text). Without it, the count of a repeated message follows the content.
   */
  readonly render?: (message: ListedMessage, text: ReactNode) => ReactNode;
  /**
   * Renders a message given by key (`message.translation`) in the reader's language: i18next's
   * `t(key, params)`, FormatJS, or `formatText(templates[key], params, locale)`. When it returns
   * null or undefined, the server's text shows. A new function (the language switched)
   * re-renders the toasts on screen.
   */
  readonly translate?: (translation: Translation, message: ListedMessage) => ReactNode;
  /**
   * What screen readers hear of a repeated message's count, in the page's language (default
   * `3 times`; the badge shows `×3`).
   */
  readonly countLabel?: (count: number) => string;
  /** Told when a message's action fails (default: the console). */
  readonly onActionError?: (error: unknown, message: ListedMessage) => void;
  /** Receive messages live, as they are added on the server (see `useMessages`). */
  readonly live?: boolean;
}

const TOASTER_ID = 'trpc-messages';

// On sonner's own rules (its light rich colours put 13px text below WCAG AA contrast, 3.1:1 to
// 4.4:1: the same hues, darker, reach 5:1 or more), for the Toaster's toasts only: close buttons
// of at least 24 x 24 px (WCAG 2.2 target size), a focus ring that shows on every colour, the
// debug kind set apart, the repeat count as a badge, and no slide under reduced motion (sonner
// stills its toasts itself).
const STYLES =
  '.trpc-messages[data-sonner-toaster][data-sonner-theme=light]{--success-text:hsl(140,100%,24%);--info-text:hsl(210,92%,40%);--warning-text:hsl(31,92%,30%);--error-text:hsl(360,100%,40%)}' +
  '.trpc-messages [data-sonner-toast][data-styled] [data-close-button]{width:24px;height:24px;min-height:24px}' +
  '.trpc-messages :focus-visible{outline:2px solid!important;outline-offset:2px}' +
  '.trpc-messages [data-button]:focus-visible{outline-color:var(--normal-text)!important}' +
  '.trpc-messages [data-sonner-toast]:not([data-type]){border-style:dashed;font-family:ui-monospace,monospace}' +
  '.trpc-messages [data-count]{margin-inline-start:6px;padding:0 5px;border:1px solid;border-radius:9px;font-size:11px}' +
  '.trpc-messages [data-count] span+span{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}' +
  '@media (prefers-reduced-motion){.trpc-messages{transition:none!important}}';

let mountedToasters = 0;

/** Warns, in development, when a second Toaster mounts: both would show every toast. */
const useOnlyToaster =
  process.env.NODE_ENV === 'production'
    ? () => {}
    : () => {
        useEffect(() => {
          mountedToasters += 1;
          if (mountedToasters > 1) {
            console.warn(
              'trpc-messages: render one <Toaster /> per page; each shows every message.',
            );
          }
          return () => {
            mountedToasters -= 1;
          };
        }, []);
      };

/** How the Toaster renders a message's content (see `ToasterProps`). */
type Renderers = Pick<ToasterProps, 'render' | 'translate' | 'countLabel'>;

// What the toasts' content renders with: the Toaster's props of the moment, so a new `translate`
// re-renders the toasts on screen without handing them to sonner again.
const RenderersContext = createContext<Renderers>({});

/**
 * Shows the user's messages as toasts (sonner): fetched on mount, after every mutation, on focus
 * and on reconnect; each once (a repeat counts on the toast, a keyed message updates its toast);
 * errors announced assertively and kept until dismissed; a message's action as the toast's
 * button; Escape closes the focused toast.
 */
export function Toaster({
  client,
  durations,
  render,
  translate,
  countLabel,
  onActionError,
  live,
  ...sonner
}: ToasterProps) {
  const { list, runAction } = useClientMessages(client, { live });
  const messages = useSyncExternalStore(list.subscribe, list.getSnapshot, list.getSnapshot);
  const { dismiss, shown } = list;
  useOnlyToaster();
  const focus = useToastFocus(dismiss);
  const { close } = focus;
  // Each entry as last handed to sonner: StrictMode's second effect run must not hand it again,
  // and an entry that changed (a repeat, a replacement) updates its toast in place.
  const handed = useRef(new Map<string, ListedMessage>());
  // The timers that take each action's button away as it expires.
  const expiries = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const onError = useRef(onActionError);
  onError.current = onActionError;
  // Whether the toasts were last handed over with focus in them (their timers held).
  const heldFor = useRef(false);
  const { within } = focus;

  useEffect(() => {
    const hand = (message: ListedMessage) => {
      const { id, action } = message;
      const kind = toastKind(message.level);
      // 0 is never; past 2^31 - 1 ms a timer would fire at once, and the page is long gone.
      const left = action ? (action.expiresAt || Infinity) - Date.now() : 0;
      clearTimeout(expiries.current.get(id));
      if (left > 0 && left < 2 ** 31) {
        const expiry = setTimeout(() => hand(message), left);
        expiries.current.set(id, expiry);
      }
      let clicked = false;
      const gone = () => close(id);
      // sonner's plain toast has no type: the debug kind.
      (kind === 'debug' ? toast : toast[kind])(<ToastContent message={message} report={shown} />, {
        id,
        toasterId: TOASTER_ID,
        className: message.tags,
        // No toast leaves while the keyboard is in the toasts (WCAG 2.2.1): sonner holds its
        // timers on hover only. Once focus leaves, each gets its full time again.
        duration: within
          ? Number.POSITIVE_INFINITY
          : (durations?.[kind] ?? DEFAULT_DURATIONS[kind]),
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
                  runAction(action).catch((error: unknown) =>
                    (onError.current ?? logError)(error, message),
                  );
                },
              }
            : undefined,
      });
    };
    const listed = new Set<string>();
    const refocused = heldFor.current !== within;
    heldFor.current = within;
    for (const message of messages) {
      listed.add(message.id);
      if (!refocused && handed.current.get(message.id) === message) continue;
      handed.current.set(message.id, message);
      hand(message);
    }
    // Entries dismissed elsewhere (useMessages' dismiss) leave the screen too.
    for (const id of handed.current.keys()) {
      if (listed.has(id)) continue;
      handed.current.delete(id);
      clearTimeout(expiries.current.get(id));
      toast.dismiss(id);
    }
  });

  useEffect(
    () => () => {
      // Unmounted (or StrictMode's trial unmount): a remount hands every entry again.
      for (const timer of expiries.current.values()) clearTimeout(timer);
      handed.current.clear();
    },
    [],
  );

  return (
    <RenderersContext.Provider value={{ render, translate, countLabel }}>
      <div style={{ display: 'contents' }} {...focus.handlers}>
        <style>{STYLES}</style>
        <Sonner
          id={TOASTER_ID}
          position="top-right"
          closeButton
          richColors
          visibleToasts={5}
          {...sonner}
          className={`trpc-messages ${sonner.className ?? ''}`}
          // Focus in the toasts spreads them out, so the focused one is readable.
          expand={sonner.expand || focus.within}
        />
      </div>
    </RenderersContext.Provider>
  );
}

/** An action's label: translated as the message's text is, when it was given by key. */
function ActionLabel({ message }: { readonly message: ListedMessage }) {
  const { translate } = useContext(RenderersContext);
  const action = message.action;
  if (!action) return null;
  return (action.translation && translate?.(action.translation, message)) ?? action.label;
}

/**
 * A toast's content: the message (rendered, translated or as text) and its repeat count; it
 * tells the kit its messages are on screen as sonner mounts or updates the toast.
 */
function ToastContent(props: {
  readonly message: ListedMessage;
  readonly report: (ids: readonly string[]) => void;
}) {
  const { message, report } = props;
  const { render, translate, countLabel } = useContext(RenderersContext);
  useIsomorphicLayoutEffect(() => report(message.ids), [message, report]);
  const text =
    (message.translation && translate?.(message.translation, message)) ?? message.message;
  const { count } = message;
  return (
    // The region sonner renders is polite; an error interrupts.
    // data-message: the toast's entry, for Escape and focus (see `useToastFocus`).
    <div
      data-message={message.id}
      role={toastKind(message.level) === 'error' ? 'alert' : undefined}
    >
      {render ? render(message, text) : text}
      {count > 1 && (
        <span data-count="">
          <span aria-hidden="true">×{count}</span>
          <span> ({countLabel ? countLabel(count) : `${count} times`})</span>
        </span>
      )}
    </div>
  );
}
