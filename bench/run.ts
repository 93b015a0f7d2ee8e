import { cpus } from 'node:os';
import { loadBaseline } from './baseline.js';
import { printClientSize, requestsPerFlashingMutation } from './client.bench.js';
import { benchHttp, FLOW_NAMES, type HttpFigure } from './http.bench.js';
import { memoryPer10kSessions } from './memory-store.bench.js';
import { benchStorage } from './storage.bench.js';

// Budget from the "Core" issue: one flash cycle with one message in at most 8 us.
const CYCLE_BUDGET_US = 8;
// The "cheaper cookie" goals (issue 10): Django's CookieStorage doing the same cycle in the same
// run takes at least this many times as long as ours.
const DJANGO_GOALS: Record<string, number> = { 'cookie, N = 1': 15, 'cookie, N = 10': 10 };
// Budgets for the HTTP path, set on the load of a mutation that adds one message and the consume
// that shows it (the "tRPC binding" issue's): at least 90% of the bare app's requests/s, or 75%
// with the messages in Redis (a round trip per request, and Redis's work on the server's core).
const HTTP_BUDGET_RATIO = 0.9;
const REDIS_BUDGET_RATIO = 0.75;
// The "Delivery" issue's goal: flashes/s end to end (the mutation and the delivery its toast
// needs) at least 90% of bare tRPC's requests/s serving the mutation alone, with inline delivery.
const FLASH_BUDGET_RATIO = 0.9;

const started = performance.now();
// BENCH_BASELINE: an earlier version of the kit, measured beside ours in the same rounds.
const before = loadBaseline();
const beforeName = before && `the baseline ${before.ref} (${before.commit.slice(0, 7)})`;
if (before) console.log(`bench: against the baseline ${before.ref}: ${before.description}`);
const storage = await benchStorage(before);
const djangoName = storage.django
  ? `Django ${storage.django.django} (Python ${storage.django.python})`
  : 'Django (not found)';
console.log(
  '\nStorage: one flash cycle (request 1 adds N and stores; request 2 consumes and clears); ' +
    `beside it ${djangoName} doing the same cycle in the same run, round by round ` +
    '(CookieStorage for the cookie, SessionStorage on a cached session for the memory store); ' +
    'x Django: the median of the paired ratios of its time to ours, their spread beside',
);
console.table(
  storage.figures.map(({ name, microseconds, cpuMicroseconds, django }) => {
    const goal = DJANGO_GOALS[name];
    return {
      case: name,
      'us / cycle': microseconds.toFixed(2),
      'CPU us / cycle': cpuMicroseconds.toFixed(2),
      'x budget (8 us)': (microseconds / CYCLE_BUDGET_US).toFixed(2),
      'Django CPU us': django ? `${django.storage}: ${django.cpuMicroseconds.toFixed(1)}` : '',
      'x faster than Django (CPU)': django ? django.times.toFixed(1) : '',
      spread: django ? `${django.spread[0].toFixed(1)} to ${django.spread[1].toFixed(1)}` : '',
      'x (wall)': django ? django.wallTimes.toFixed(1) : '',
      goal:
        goal && django ? `${django.times >= goal ? 'yes' : 'NO'} (>= ${goal}x)` : goal ? '?' : '',
    };
  }),
);

if (beforeName) {
  console.log(
    `\nStorage against ${beforeName}: the same cycle on its kit, bundled with this bench, in ` +
      'this process, round by round (in turn first with ours); x baseline: the median of the ' +
      'paired ratios of its CPU time to ours (above 1: faster now), their spread beside',
  );
  console.table(
    storage.figures.map(({ name, cpuMicroseconds, baseline }) => ({
      case: name,
      'baseline CPU us': baseline?.cpuMicroseconds.toFixed(2) ?? '',
      'CPU us': cpuMicroseconds.toFixed(2),
      'x baseline (CPU)': baseline?.times.toFixed(3) ?? '',
      spread: baseline
        ? `${baseline.spread[0].toFixed(3)} to ${baseline.spread[1].toFixed(3)}`
        : '',
      'x baseline (wall)': baseline?.wallTimes.toFixed(3) ?? '',
    })),
  );
}

const http = await benchHttp(before);
const flow = http.figures.filter((figure) => figure.name.startsWith('flash flow: '));
const rows = (figures: readonly HttpFigure[]) =>
  figures.map((figure) => {
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
    const perFlash = figure.requestsPerFlash ?? 1;
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
      'CPU us / flash': figure.requestsPerFlash
        ? (figure.cpuPerRequest * figure.requestsPerFlash).toFixed(1)
        : '',
      // Requests per CPU second, to bare's: the same ratio, unmoved by waits for a core.
      'x bare, by CPU': cpuRatio.toFixed(3),
      // EVALSHA/EVAL per request, and every command Redis ran per flash (or per request, for a
      // load that does not flash), from INFO commandstats over the measured rounds.
      'Redis round trips / request': figure.redisRoundTrips?.toFixed(3) ?? '',
      'Redis commands / flash': figure.redisCommands
        ? (figure.redisCommands * perFlash).toFixed(2)
        : '',
    };
  });
console.log(
  '\nHTTP: requests/s on loopback (standalone adapter, 10 connections, NODE_ENV=production, ' +
    'the server pinned to a core); median of the rounds, and the lowest and highest round; ' +
    'x bare: median of the ratios to the bare run just before each round (their spread beside); ' +
    'flashes/s x bare: the same for the flashes of a load that flashes (a mutation and the ' +
    'requests its toast needs) against bare serving the mutation alone',
);
console.table(rows(http.figures.filter((figure) => !flow.includes(figure))));

// The peers, on the same load as ours: each against bare in its rounds, so ours over a peer is
// the ratio of the two medians to bare.
const ourFlow = (app: string) =>
  flow.find((figure) => figure.app === (app.endsWith('redis') ? 'redis' : 'server'));
console.log(
  '\nThe flash flow (a save that flashes, the show that shows it; each connection a browser of ' +
    'its own) on trpc-messages and on the peers, each paired with bare tRPC round by round; ' +
    'ours x peer: our flashes/s over the peer’s (memory store against memory store, Redis ' +
    'against Redis); by CPU: the same by server CPU time per flash',
);
console.table(
  flow.map((figure) => {
    const ours = ourFlow(figure.app);
    const row = rows([figure])[0] as ReturnType<typeof rows>[number];
    const peer = !['server', 'redis', 'cookie'].includes(figure.app);
    return {
      case: row.case.replace('flash flow: ', ''),
      'flashes/s': Math.round(figure.requestsPerSecond / 2),
      'flashes/s x bare': row['flashes/s x bare'],
      spread: `${(figure.ratioSpread[0] / 2).toFixed(3)} to ${(figure.ratioSpread[1] / 2).toFixed(3)}`,
      'CPU us / flash': row['CPU us / flash'],
      'ours x peer': peer && ours ? (ours.ratio / figure.ratio).toFixed(2) : '',
      'ours x peer, by CPU': peer && ours ? (ours.cpuRatio / figure.cpuRatio).toFixed(2) : '',
      'Redis commands / flash': row['Redis commands / flash'],
    };
  }),
);

if (beforeName) {
  console.log(
    `\nHTTP against ${beforeName}: each case of the kit also on a server of its kit, in the ` +
      'same rounds, after the same run of bare (in turn first with ours); ours x baseline: the ' +
      'median of the rounds’ paired ratios of requests/s (above 1: faster now), their spread ' +
      'beside; by CPU: its server CPU time per request over ours',
  );
  console.table(
    http.figures.flatMap(({ name, ratio, cpuPerRequest, baseline }) =>
      baseline
        ? [
            {
              case: name,
              'ours x bare': ratio.toFixed(3),
              'baseline x bare': baseline.figure.ratio.toFixed(3),
              'ours x baseline': baseline.times.toFixed(3),
              spread: `${baseline.spread[0].toFixed(3)} to ${baseline.spread[1].toFixed(3)}`,
              'by CPU': baseline.cpuTimes.toFixed(3),
              'CPU us / request': cpuPerRequest.toFixed(1),
              'baseline CPU us / request': baseline.figure.cpuPerRequest.toFixed(1),
            },
          ]
        : [],
    ),
  );
}

// BENCH_ONLY may leave out the apps of the flash flow, which take the concurrent saves.
if (http.concurrent.length > 0) {
  console.log(
    '\nConcurrent saves on one session: 10 saves at once, then a show, 50 times (500 saved): ' +
      'the messages the session was shown',
  );
  console.table(
    http.concurrent.map(({ app, saved, delivered }) => ({
      app: FLOW_NAMES[app],
      saved,
      delivered,
      kept: `${((delivered / saved) * 100).toFixed(0)}%`,
    })),
  );
}

if (http.scale.length > 0) {
  const single = http.scale[0] as HttpFigure;
  console.log(
    `\nScale-out: inline flashes (one request each) with 1, 2 and 4 instances of the redis app on ` +
      `one Redis, autocannon's 10 connections spread over them. On this ${cpus().length}-core ` +
      'machine every instance and the redis-server share core 0 (the load generator has the ' +
      'other): the figures show what more instances cost on one core, not what they add on more.',
  );
  console.table(
    http.scale.map((figure) => ({
      case: figure.name,
      'flashes/s': Math.round(figure.requestsPerSecond),
      'x bare': figure.ratio.toFixed(3),
      spread: `${figure.ratioSpread[0].toFixed(3)} to ${figure.ratioSpread[1].toFixed(3)}`,
      'x 1 instance': (figure.ratio / single.ratio).toFixed(3),
      'CPU us / flash': figure.cpuPerRequest.toFixed(1),
      'Redis round trips / flash': figure.redisRoundTrips?.toFixed(3) ?? '',
      'Redis commands / flash': figure.redisCommands?.toFixed(2) ?? '',
    })),
  );
}

const memory = memoryPer10kSessions();
console.log('\nMemoryStore: memory per 10,000 sessions, one message each (heap after a full GC)');
console.table([
  {
    sessions: memory.sessions,
    'heap MB': (memory.heapBytes / 1e6).toFixed(2),
    'bytes / session': Math.round(memory.heapBytes / memory.sessions),
    'the store’s own estimate, MB': (memory.estimatedBytes / 1e6).toFixed(2),
  },
]);

// The "Delivery" issue's goal: one HTTP request per mutation that flashes a message. The client's
// budget (issue 18: at most 5,000 B min+gzip with the Toaster) is printClientSize's.
await printClientSize();
const inline = await requestsPerFlashingMutation(true);
const consumed = await requestsPerFlashingMutation(false);
console.log('\nClient: HTTP requests per mutation that flashes a message');
console.table([
  {
    measure: 'with messagesLink',
    value: String(inline),
    budget: 'target 1 (the mutation, its message inline)',
  },
  {
    measure: 'without it',
    value: String(consumed),
    budget: 'the mutation + one consume',
  },
]);

const minutes = (performance.now() - started) / 60_000;
console.log(`\nbench: the whole run took ${minutes.toFixed(1)} minutes`);
// The client's browser tab (requestsPerFlashingMutation) leaves a BroadcastChannel open, which
// keeps Node's event loop alive: the run is over.
process.exit(0);
