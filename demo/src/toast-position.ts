import { useSyncExternalStore } from 'react';

/** Where the Toaster puts the toasts. */
export type ToastPosition = 'top-right' | 'bottom-right';

// Wide enough for a column of toasts (sonner's 356 px and its 24 px offset) beside the page.
const wide = matchMedia('(min-width: 56rem)');

const position = (): ToastPosition => (wide.matches ? 'top-right' : 'bottom-right');

// The stylesheet keeps the page and the top bar's controls clear of the toasts' column while
// they are beside it (`data-toasts` on <html>); below that width they go to the bottom of the
// screen, where they cover no control of the top bar.
function apply(): void {
  document.documentElement.dataset.toasts = wide.matches ? 'beside' : 'below';
}
apply();
wide.addEventListener('change', apply);

const subscribe = (listener: () => void) => {
  wide.addEventListener('change', listener);
  return () => wide.removeEventListener('change', listener);
};

/** Where the toasts go on this screen; renders again when the window crosses the width. */
export function useToastPosition(): ToastPosition {
  return useSyncExternalStore(subscribe, position);
}
