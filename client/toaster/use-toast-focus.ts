import { type FocusEvent, type KeyboardEvent, useCallback, useRef, useState } from 'react';

/** The keyboard and focus behaviour of the Toaster's toasts (see `useToastFocus`). */
export interface ToastFocus {
  /** Whether focus is in the toasts: the Toaster then shows them expanded, each readable. */
  readonly within: boolean;
  /** Dismisses the toast of entry `id`, focus first moved out of it if it was there. */
  readonly close: (id: string) => void;
  /** The handlers of the element around the toasts. */
  readonly handlers: {
    readonly onFocus: (event: FocusEvent<HTMLElement>) => void;
    readonly onBlur: (event: FocusEvent<HTMLElement>) => void;
    readonly onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
  };
}

/**
 * Keyboard and focus for the toasts (sonner's Escape only collapses them): Escape closes the
 * focused toast; focus in a toast that goes moves to the next toast, else back where it came
 * from (a removed element would drop it on <body>). `dismiss` takes an entry off the list.
 */
export function useToastFocus(dismiss: (id: string) => void): ToastFocus {
  const [within, setWithin] = useState(false);
  const around = useRef<HTMLElement | null>(null);
  // Where focus came from into the toasts.
  const before = useRef<HTMLElement | null>(null);
  // The same function while `dismiss` is: the Toaster's bridge is made with it.
  const close = useCallback(
    (id: string) => {
      const from = document.activeElement?.closest('[data-sonner-toast]');
      if (from && messageOf(from) === id) {
        const next = [from.nextElementSibling, from.previousElementSibling].find((toast) =>
          toast?.matches('[data-sonner-toast]:not([data-removed=true])'),
        );
        const back = before.current?.isConnected ? before.current : undefined;
        // Nothing to go back to: the toasts' region (sonner's section), never <body>.
        (
          (next ?? back ?? around.current?.querySelector('section')) as
            | HTMLElement
            | null
            | undefined
        )?.focus();
      }
      dismiss(id);
    },
    [dismiss],
  );
  return {
    within,
    close,
    handlers: {
      onFocus: (event) => {
        around.current = event.currentTarget;
        const from = event.relatedTarget;
        if (!event.currentTarget.contains(from)) before.current = from as HTMLElement | null;
        setWithin(true);
      },
      onBlur: (event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setWithin(false);
      },
      onKeyDown: (event) => {
        const toast = (event.target as Element).closest('[data-sonner-toast]');
        const id = toast && messageOf(toast);
        if (event.key === 'Escape' && id) close(id);
      },
    },
  };
}

/** The id of the entry a toast shows, if it is one of the kit's (see `ToastContent`). */
function messageOf(toast: Element): string | null | undefined {
  return toast.querySelector('[data-message]')?.getAttribute('data-message');
}
