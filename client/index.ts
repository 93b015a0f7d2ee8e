// trpc-messages/client: the headless client and the Toaster over it.
export * from './headless.js';
export { DEFAULT_DURATIONS, type ToastKind, toastKind } from './toaster/toast-kind.js';
export { Toaster, type ToasterProps } from './toaster/toaster.js';
