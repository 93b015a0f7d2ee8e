// What the framework entries (trpc-messages/next) build on beyond the public API of
// trpc-messages/client: not exported from any entry of the package.
export { pageInbox } from './core/page-inbox.js';
export { useIsomorphicLayoutEffect } from './react/use-isomorphic-layout-effect.js';
