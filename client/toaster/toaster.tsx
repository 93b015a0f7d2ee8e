'use client';

import { type ReactNode, useEffect, useMemo } from 'react';
import { Toaster as Sonner, type ToasterProps as SonnerProps } from 'sonner';
import type { Translation } from '../../shared/catalog.js';
import type { ListedMessage } from '../core/message-list.js';
import type { MessagesClient } from '../core/messages-client.js';
import { useClientMessages } from '../react/use-client-messages.js';
import { TOASTER_ID, ToastBridge } from './toast-bridge.js';
import { RenderersContext } from './toast-content.js';
import type { ToastKind } from './toast-kind.js';
import { TOASTER_STYLES } from './toaster-styles.js';
import { useOnlyToaster } from './use-only-toaster.js';
import { useToastFocus } from './use-toast-focus.js';

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
  useOnlyToaster();
  const focus = useToastFocus(list.dismiss);
  const { within, close } = focus;
  const bridge = useMemo(() => new ToastBridge(list, runAction, close), [list, runAction, close]);
  // Before the bridge starts: the toasts it hands at once take the props.
  useEffect(
    () => bridge.configure({ held: within, durations, onActionError }),
    [bridge, within, durations, onActionError],
  );
  useEffect(() => bridge.start(), [bridge]);

  return (
    <RenderersContext.Provider value={{ render, translate, countLabel }}>
      <div style={{ display: 'contents' }} {...focus.handlers}>
        <style>{TOASTER_STYLES}</style>
        <Sonner
          id={TOASTER_ID}
          position="top-right"
          closeButton
          richColors
          visibleToasts={5}
          {...sonner}
          className={`trpc-messages ${sonner.className ?? ''}`}
          // Focus in the toasts spreads them out, so the focused one is readable.
          expand={sonner.expand || within}
        />
      </div>
    </RenderersContext.Provider>
  );
}
