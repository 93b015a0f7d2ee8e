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
    'x bare: median of the ratios to the bare run just before each round',
);
console.table(
  http.map((figure) => {
    const { name, app, budgeted, requestsPerSecond, lowest, highest, ratio, cpuRatio } = figure;
    const budget = app === 'redis' ? REDIS_BUDGET_RATIO : HTTP_BUDGET_RATIO;
    return {
      case: name,
      'requests/s': Math.round(requestsPerSecond),
      rounds: `${Math.round(lowest)} to ${Math.round(highest)}`,
      'x bare': ratio.toFixed(3),
      'budget (x bare)': budgeted
        ? `${ratio >= budget ? 'yes' : 'NO'} (>= ${budget.toFixed(2)})`
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

// Budgets from the "Client" issue: the kit's own client code at most 3 KB min+gzip, and one
// consume per mutation that flashes a message.
const CLIENT_BUDGET_BYTES = 3 * 1024;
const size = await clientBundleBytes();
const requests = await requestsPerFlashingMutation();
console.log('\nClient: the kit’s own code (excluding react, react-query, tRPC and sonner)');
console.table([
  {
    measure: 'Toaster + useMessages, minified',
    value: `${size.minified} B`,
    budget: '',
  },
  {
    measure: 'Toaster + useMessages, minified + gzip',
    value: `${size.gzipped} B`,
    budget: `${(size.gzipped / CLIENT_BUDGET_BYTES).toFixed(2)} x 3 KB`,
  },
  {
    measure: 'HTTP requests per mutation that flashes a message',
    value: String(requests),
    budget: 'target 2 (the mutation + one consume)',
  },
]);
