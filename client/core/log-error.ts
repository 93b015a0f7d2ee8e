/** The client's report of an error the app asked to hear of nowhere else: the console. */
export function logError(error: unknown, ...about: unknown[]): void {
  console.error('trpc-messages:', error, ...about);
}
