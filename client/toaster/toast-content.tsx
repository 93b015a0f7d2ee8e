import { createContext, type ReactNode, useContext } from 'react';
import type { Translation } from '../../shared/catalog.js';
import type { ListedMessage } from '../core/message-list.js';
import { useIsomorphicLayoutEffect } from '../react/use-isomorphic-layout-effect.js';

/** How the Toaster renders a message's content (see `ToasterProps`). */
export interface Renderers {
  readonly render?: ((message: ListedMessage, text: ReactNode) => ReactNode) | undefined;
  readonly translate?:
    | ((translation: Translation, message: ListedMessage) => ReactNode)
    | undefined;
  readonly countLabel?: ((count: number) => string) | undefined;
}

/**
 * What the toasts' content renders with: the Toaster's props of the moment, so a new
 * `translate` re-renders the toasts on screen without handing them to sonner again.
 */
export const RenderersContext = createContext<Renderers>({});

/** An action's label: translated as the message's text is, when it was given by key. */
export function ActionLabel({ message }: { readonly message: ListedMessage }) {
  const { translate } = useContext(RenderersContext);
  const action = message.action;
  if (!action) return null;
  return (action.translation && translate?.(action.translation, message)) ?? action.label;
}

/**
 * A toast's content: the message (rendered, translated or as text) and its repeat count; it
 * tells the kit its messages are on screen as sonner mounts or updates the toast.
 */
export function ToastContent(props: {
  readonly message: ListedMessage;
  /** An error: announced at once (the region sonner renders is polite). */
  readonly alert: boolean;
  readonly report: (ids: readonly string[]) => void;
}) {
  const { message, alert, report } = props;
  const { render, translate, countLabel } = useContext(RenderersContext);
  useIsomorphicLayoutEffect(() => report(message.ids), [message, report]);
  const text =
    (message.translation && translate?.(message.translation, message)) ?? message.message;
  const { count } = message;
  return (
    // data-message: the toast's entry, for Escape and focus (see `useToastFocus`).
    <div data-message={message.id} role={alert ? 'alert' : undefined}>
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
