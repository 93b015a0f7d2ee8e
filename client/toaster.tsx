'use client';

import { type CSSProperties, type ReactNode, useEffect, useRef } from 'react';
import {
  type ExternalToast,
  Toaster as Sonner,
  type ToasterProps as SonnerProps,
  toast,
} from 'sonner';
import { ERROR, INFO, SUCCESS, WARNING } from '../shared/levels.js';
import type { Message } from '../shared/message.js';
import type { MessagesClient } from './message-consumer.js';
import { useMessageFeed } from './use-message-feed.js';
import { useIsomorphicLayoutEffect } from './use-messages.js';

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
  /** How long each kind of toast stays, in ms; merged over DEFAULT_DURATIONS. */
  readonly durations?: Partial<Record<ToastKind, number>>;
  /** Renders a message's content (default: its text, as text). */
  readonly render?: (message: Message) => ReactNode;
  /** Receive messages live, as they are added on the server (see `useMessages`). */
  readonly live?: boolean;
}

const TOASTER_ID = 'trpc-messages';

// sonner's light rich colours put 13px text below WCAG AA contrast (3.1:1 to 4.4:1); the same
// hues, darker, reach 5:1 or more. Its dark theme passes as it is.
const ACCESSIBLE_LIGHT_COLOURS = {
  '--success-text': 'hsl(140, 100%, 24%)',
  '--info-text': 'hsl(210, 92%, 40%)',
  '--warning-text': 'hsl(31, 92%, 30%)',
  '--error-text': 'hsl(360, 100%, 40%)',
} as CSSProperties;

let mountedToasters = 0;

/** Warns, in development, when a second Toaster mounts: both would show every toast. */
function useOnlyToaster(): void {
  useEffect(() => {
    mountedToasters += 1;
    if (mountedToasters > 1 && process.env.NODE_ENV !== 'production') {
      console.warn('trpc-messages: render one <Toaster /> per page; each shows every message.');
    }
    return () => {
      mountedToasters -= 1;
    };
  }, []);
}

const show = {
  debug: toast,
  info: toast.info,
  success: toast.success,
  warning: toast.warning,
  error: toast.error,
};

/**
 * Shows the user's messages as toasts (sonner): fetched on mount, after every mutation, on focus
 * and on reconnect; each once; errors announced assertively and kept until dismissed.
 */
export function Toaster({ client, durations, render, live, ...sonner }: ToasterProps) {
  const {
    messages,
    dismiss,
    shown: onScreen,
  } = useMessageFeed(client, live === undefined ? {} : { live });
  useOnlyToaster();
  // Ids handed to sonner by this Toaster: StrictMode's second effect run must not hand them again.
  const shown = useRef(new Set<string>());

  useEffect(() => {
    for (const message of messages) {
      if (shown.current.has(message.id)) continue;
      shown.current.add(message.id);
      const kind = toastKind(message.level);
      const content = (
        <OnScreen id={message.id} report={onScreen}>
          {render ? render(message) : message.message}
        </OnScreen>
      );
      const options: ExternalToast = {
        id: message.id,
        toasterId: TOASTER_ID,
        className: message.tags,
        duration: durations?.[kind] ?? DEFAULT_DURATIONS[kind],
        onDismiss: () => dismiss(message.id),
        onAutoClose: () => dismiss(message.id),
      };
      // The region sonner renders is polite; an error interrupts.
      show[kind](kind === 'error' ? <div role="alert">{content}</div> : content, options);
    }
  }, [messages, dismiss, durations, render, onScreen]);

  const light = sonner.theme === undefined || sonner.theme === 'light';
  return (
    <Sonner
      id={TOASTER_ID}
      position="top-right"
      closeButton
      richColors
      visibleToasts={5}
      {...sonner}
      style={light ? { ...ACCESSIBLE_LIGHT_COLOURS, ...sonner.style } : sonner.style}
    />
  );
}

/** A toast's content, which tells the kit its message is on screen as sonner mounts the toast. */
function OnScreen(props: {
  readonly id: string;
  readonly report: (ids: readonly string[]) => void;
  readonly children: ReactNode;
}) {
  const { id, report } = props;
  useIsomorphicLayoutEffect(() => report([id]), [id, report]);
  return props.children;
}
