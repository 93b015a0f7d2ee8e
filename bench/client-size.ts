/**
 * The client's weight alone, the part of `npm run bench` that needs no server and no build:
 * `node --import tsx bench/client-size.ts` prints each source file's share, with the Toaster and
 * headless, and the totals against the budget.
 */
import { printClientSize } from './client.bench.js';

await printClientSize();
