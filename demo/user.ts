/** The longest name a demo user can sign in with, checked by the page and the server. */
export const MAX_NAME_LENGTH = 40;
