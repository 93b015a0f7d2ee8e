import { defineTags } from 'trpc-messages';

/** The demo's custom level, between WARNING and ERROR, shared by server and client. */
export const NOTICE = 35;

/** The demo's tag map: the built-in tags and `notice`. */
export const tags = defineTags({ [NOTICE]: 'notice' });
