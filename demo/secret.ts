import { randomBytes } from 'node:crypto';

/**
 * The secret the demo signs its cookies and Undo actions with: MESSAGES_SECRET when it is set,
 * else one made up for this run (and said so, in one line), so that `npm start` needs no set-up
 * even in production mode, where the kit requires a secret. A made-up secret lasts as long as the
 * process: the cookies of an earlier run then read as empty.
 */
export function demoSecret(
  environment: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = console.log,
): string {
  const set = environment.MESSAGES_SECRET;
  if (set) return set;
  say(
    'trpc-messages demo: MESSAGES_SECRET is not set, so this run signs with a random secret of ' +
      'its own (sessions end with it); set MESSAGES_SECRET to keep them across restarts',
  );
  return randomBytes(32).toString('base64url');
}
