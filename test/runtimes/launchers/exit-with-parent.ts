import process from 'node:process';

/**
 * Ends this process once the test process that spawned it is gone, however it ended (even
 * SIGKILL): the kernel then closes the stdin pipe it gave, and stdin ends.
 */
export function exitWithParent(): void {
  process.stdin.once('end', () => process.exit(0));
  process.stdin.resume();
}
