import { clientBundleBytes, requestsPerFlashingMutation } from './client.bench.js';
import { benchHttp } from './http.bench.js';
import { benchStorage } from './storage.bench.js';

// Budget from the "Core" issue: one flash cycle with one message in at most 8 us.
const CYCLE_BUDGET_US = 8;
// Django 5.2's cookie storage, the same cycle on the same kind of machine: the figure the "Core"
// issue gives (Python is not installed here, so it is not re-measured in this run).
const DJANGO_CYCLE_US = 80;
// Budgets for the HTTP path, set on the load of a mutation that adds one message and the consume
// that shows it (the "tRPC binding" issue's): at least 90% of the bare app's requests/s, or 75%
// with the messages in Redis (a round trip per request, and Redis's work on the server's core).
const HTTP_BUDGET_RATIO = 0.9;
const REDIS_BUDGET_RATIO = 0.75;
// The "Delivery" issue's goal: flashes/s end to end (the mutation and the delivery its toast
// needs) at least 90% of bare tRPC's requests/s serving the mutation alone, with inline delivery.
const FLASH_BUDGET_RATIO = 0.9;

const storage = await benchStorage();
console.log(
  '\nStorage: one flash cycle (request 1 adds N and stores; request 2 consumes and clears)',
);
console.table(
  storage.map(({ name, microseconds }) => ({
    case: name,
    'us / cycle': microseconds.toFixed(2),
    'x budget (8 us)': (microseconds / CYCLE_BUDGET_US).toFixed(2),
    'x Django (80 us, quoted)': (microseconds / DJANGO_CYCLE_US).toFixed(3),
  })),
);

const http = await benchHttp();
console.log(
  '\nHTTP: requests/s on loopback (standalone adapter, 10 connections, NODE_ENV=production, ' +
    'the server pinned to a core); median of the rounds, and the lowest and highest round; ' +
    'x bare: median of the ratios to the bare run just before each round (their spread beside); ' +
    'flashes/s x bare: the same for the flashes of a load that flashes (a mutation and the ' +
    'requests its toast needs) against bare serving the mutation alone',
);
console.table(
  http.map((figure) => {
    const { name, app, budget, requestsPerSecond, lowest, highest, ratio, cpuRatio } = figure;
    const flashRatio = figure.requestsPerFlash ? ratio / figure.requestsPerFlash : undefined;
    const [least, most] = figure.ratioSpread;
    const bound =
      budget === 'flashes'
        ? FLASH_BUDGET_RATIO
        : app === 'redis'
          ? REDIS_BUDGET_RATIO
          : HTTP_BUDGET_RATIO;
    const measured = budget === 'flashes' ? flashRatio : ratio;
    return {
      case: name,
      'requests/s': Math.round(requestsPerSecond),
      rounds: `${Math.round(lowest)} to ${Math.round(highest)}`,
      'x bare': ratio.toFixed(3),
      spread: `${least.toFixed(3)} to ${most.toFixed(3)}`,
      'flashes/s x bare': flashRatio?.toFixed(3) ?? '',
      budget:
        budget && measured !== undefined
          ? `${measured >= bound ? 'yes' : 'NO'} (${budget} >= ${bound.toFixed(2)})`
          : '',
      'server CPU': `${Math.round(figure.serverCpu * 100)}%`,
      'CPU us / request': figure.cpuPerRequest.toFixed(1),
      // Requests per CPU second, to bare's: the same ratio, unmoved by waits for a core.
      'x bare, by CPU': cpuRatio.toFixed(3),
      // EVALSHA/EVAL per request, from Redis's INFO commandstats over the measured rounds.
      'Redis round trips / request': figure.redisRoundTrips?.toFixed(3) ?? '',
    };
  }),
);

// Budgets from the "Client" issue: the kit's own client code at most 3 KB min+gzip; and from the
// "Delivery" issue: one HTTP request per mutation that flashes a message.
const CLIENT_BUDGET_BYTES = 3 * 1024;
const size = await clientBundleBytes();
const inline = await requestsPerFlashingMutation(true);
const consumed = await requestsPerFlashingMutation(false);
console.log('\nClient: the kit’s own code (excluding react, react-query, tRPC and sonner)');
console.table([
  {
    measure: 'Toaster + useMessages + messagesLink, minified',
    value: `${size.minified} B`,
    budget: '',
  },
  {
    measure: 'Toaster + useMessages + messagesLink, minified + gzip',
    value: `${size.gzipped} B`,
    budget: `${(size.gzipped / CLIENT_BUDGET_BYTES).toFixed(2)} x 3 KB`,
  },
  {
    measure: 'HTTP requests per mutation that flashes a message, with messagesLink',
    value: String(inline),
    budget: 'target 1 (the mutation, its message inline)',
  },
  {
    measure: 'HTTP requests per mutation that flashes a message, without it',
    value: String(consumed),
    budget: 'the mutation + one consume',
  },
]);
