import { createMessages } from 'trpc-messages/server';

/** The app's messages kit: the embedded default, a memory store and a signed session cookie. */
export const messages = createMessages();
