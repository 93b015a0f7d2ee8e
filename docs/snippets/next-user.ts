// Preamble of the docs' Next.js sign-in fragment (see test/docs/snippets.test.ts): the app's kit
// and a stand-in for the app's own authentication.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { createMessages } from 'trpc-messages/server';

const messages = createMessages();
/** The signed-in user's id, if any. */
declare function currentUser(): Promise<string | undefined>;
/** Checks the form's credentials, signs the user in, and returns their id. */
declare function signInWithYourAuth(form: FormData): Promise<string>;
declare function signOutWithYourAuth(): Promise<void>;
