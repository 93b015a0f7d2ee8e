import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  CLIENT_HEADER,
  decodeInline,
  formatClientHeader,
  INLINE_HEADER,
} from '../shared/delivery.js';
import {
  commandCounts,
  commandsBetween,
  scriptRoundTrips,
} from '../test/fixtures/redis-commands.js';
import { type RedisServer, startRedisServer } from '../test/fixtures/redis-server.js';
import { BASELINE_FOLDER, type Baseline } from './baseline.js';
import { cookieHeader, mergeCookies } from './cookie-header.js';
import {
  type ConcurrentSaves,
  concurrentSaves,
  type FlowApp,
  flashFlow,
  flashOnce,
  PEER_APPS,
  type PeerApp,
} from './flash-flow.js';
import type { HttpApp, ServerReport } from './http-server.js';
import { median, positiveFromEnv } from './measure.js';
import { canPin, LOAD_CORES, pin, pinned, SERVER_CORE } from './pinning.js';
import { benchScript } from './script.js';

/** Every app the HTTP benchmark runs: bare tRPC, ours with each storage, and the peers. */
export type BenchApp = HttpApp | PeerApp;

/** The apps that keep their sessions in Redis, on the redis-server the bench starts. */
const onRedis = (app: BenchApp) => app === 'redis' || app === 'express-redis';

/** The apps of the kit, which a baseline (BENCH_BASELINE) serves too. */
const isKitApp = (app: BenchApp) => app === 'server' || app === 'cookie' || app === 'redis';

const CONNECTIONS = 10;
// A fresh server needs 2 to 4 s of load for its JIT to settle here (its first 2 s ran at half
// speed), so 1 s was not enough; the median round discards what is left.
const WARM_UP_SECONDS = 3;

/** One HTTP request as a browser's tRPC client (httpLink) sends it. */
interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * The requests of one connection, made afresh for each, for loads whose requests depend on the
 * answers before them (a tab acknowledging what it was shown): autocannon's requests, with
 * their `setupRequest` and `onResponse` hooks holding the connection's state.
 */
type Connection = () => autocannon.Request[];

/** What a budget is set on: requests/s, or flashes/s (a flash is a mutation and its delivery). */
type Budget = 'requests' | 'flashes';

/** One measured load: the app that serves it and the calls each connection repeats in turn. */
interface HttpCase {
  readonly name: string;
  readonly app: BenchApp;
  /**
   * Gets the cookies the calls carry from the running server, checks them, returns the calls
   * every connection repeats, or a maker of each connection's own.
   */
  readonly calls: (origin: string) => Promise<Call[] | Connection>;
  /**
   * What the budget is set on, if anything: the "tRPC binding" issue's requests/s of a mutation
   * that adds one message and the consume that shows it, or the "Delivery" issue's flashes/s.
   */
  readonly budget?: Budget;
  /** HTTP requests per flash, for loads that flash: each repeats the calls of one flash. */
  readonly requestsPerFlash?: number;
}

/** Requests per second the server sustained in one case. */
export interface HttpFigure {
  readonly name: string;
  readonly app: BenchApp;
  readonly budget: Budget | undefined;
  /** HTTP requests per flash, for loads that flash. */
  readonly requestsPerFlash: number | undefined;
  /** The median round's requests per second; the lowest and highest round's. */
  readonly requestsPerSecond: number;
  readonly lowest: number;
  readonly highest: number;
  /**
   * Requests/s over bare's, the median of the rounds' ratios: each round measures bare just
   * before the case, so a slow spell of the machine falls on both sides of a ratio. 1 for bare.
   */
  readonly ratio: number;
  /** The same, by CPU time per request: bare's over the case's. */
  readonly cpuRatio: number;
  /** The lowest and highest of the rounds' paired ratios: their spread. */
  readonly ratioSpread: readonly [number, number];
  /** The server's CPU time over wall time: near 1 when the server, not the load, set the pace. */
  readonly serverCpu: number;
  /**
   * The server's CPU time per request, in microseconds: steadier than requests/s on a shared
   * machine, as time the server spends waiting for a core does not count.
   */
  readonly cpuPerRequest: number;
  /** The redis app's round trips to Redis per request (INFO commandstats); undefined for others. */
  readonly redisRoundTrips: number | undefined;
  /**
   * Commands Redis ran per request (INFO commandstats, a script's own commands included, as
   * Redis 7 counts them), for the apps on Redis; undefined for others.
   */
  readonly redisCommands: number | undefined;
  /** The same case on the baseline's server (BENCH_BASELINE), in the same rounds. */
  readonly baseline?: {
    readonly figure: HttpFigure;
    /**
     * Our requests/s over the baseline's: the median of the rounds' paired ratios (above 1:
     * faster now), and their spread.
     */
    readonly times: number;
    readonly spread: readonly [number, number];
    /** The same by CPU time per request: the baseline's over ours. */
    readonly cpuTimes: number;
  };
}

/** What `benchHttp` measured: each case's figures, the concurrent saves, the scale-out. */
export interface HttpBench {
  readonly figures: HttpFigure[];
  /** Per flow app: the messages one session was shown of those saved in bursts at once. */
  readonly concurrent: ReadonlyArray<{ readonly app: FlowApp } & ConcurrentSaves>;
  /** The redis app's inline flashes with 1, 2 and 4 instances on one Redis. */
  readonly scale: readonly HttpFigure[];
}

const SAVE_BODY = JSON.stringify({ title: 'Write the benchmark' });

/** The `save` mutation: a POST with its input as the JSON body. */
function save(cookie?: string): Call {
  return {
    method: 'POST',
    path: '/save',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: SAVE_BODY,
  };
}

/** `messages.consume`: a GET with no `input` parameter, as httpLink sends a void input. */
function consume(cookie: string): Call {
  return { method: 'GET', path: '/messages.consume', headers: { cookie } };
}

const consumed = z.object({
  result: z.object({ data: z.object({ messages: z.array(z.unknown()) }) }),
});

/** Sends one call, failing unless it answers 2xx; returns its Set-Cookie headers and JSON body. */
async function send(origin: string, { method, path, headers, body }: Call) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`bench: ${method} ${path} answered ${response.status}: ${text}`);
  return { setCookies: response.headers.getSetCookie(), json: JSON.parse(text) as unknown };
}

/** How many messages a consume call returned. */
async function consumeCount(origin: string, cookie: string): Promise<number> {
  return consumed.parse((await send(origin, consume(cookie))).json).result.data.messages.length;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench: the load would not be realistic: ${what}`);
}

/** The session cookie the server storage gives a browser with its first message. */
async function sessionCookie(origin: string): Promise<string> {
  const session = cookieHeader((await send(origin, save())).setCookies);
  check(session.startsWith('messages_session='), `a first save set ${session || 'no cookie'}`);
  check((await send(origin, save(session))).setCookies.length === 0, 'a session was not kept');
  return session;
}

/** The messages cookie of the cookie storage, holding one message. */
async function messagesCookie(origin: string): Promise<string> {
  const cookie = cookieHeader((await send(origin, save())).setCookies);
  check(cookie.startsWith('messages='), `a save set ${cookie || 'no cookie'}`);
  return cookie;
}

/**
 * The connections of browser tabs that flash with the kit's link: each save names the tab, asks
 * for its messages inline and acknowledges what the last answer carried (on the save itself, or
 * on a `messages.ack` of its own, `separateAck`), keeping the cookies it is given. Every answer
 * must carry the message its save added: else the load would not be the one measured.
 */
function flashingTabs(browsers: readonly string[], separateAck: boolean): Connection {
  let connections = 0;
  return () => {
    const tab = randomBytes(12).toString('base64url');
    // Each connection a browser of its own, with the cookies it starts with.
    let cookies = browsers[connections++ % browsers.length] ?? '';
    let pending: string[] = [];
    const header = () => formatClientHeader({ tab, inline: 'all', acks: pending.splice(0) });
    const keepCookies = (headers: Record<string, string | string[]>) => {
      const set = headers['set-cookie'];
      if (set) cookies = mergeCookies(cookies, Array.isArray(set) ? set : [set]);
    };
    const saveCall: autocannon.Request = {
      ...save(),
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, cookie: cookies, [CLIENT_HEADER]: header() },
      }),
      onResponse: (_status, _body, _context, headers) => {
        keepCookies(headers as Record<string, string | string[]>);
        const carried = decodeInline(String(headers?.[INLINE_HEADER] ?? ''))?.messages ?? [];
        // Its own message, and any a tab of the last load left unacknowledged, once their
        // leases ended.
        if (carried.length === 0) throw new Error("bench: a flash's answer carried no message");
        pending = carried.map((m) => m.id);
      },
    };
    if (!separateAck) return [saveCall];
    const ackCall: autocannon.Request = {
      method: 'POST',
      path: '/messages.ack',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, cookie: cookies, [CLIENT_HEADER]: header() },
      }),
      onResponse: (_status, _body, _context, headers) =>
        keepCookies(headers as Record<string, string | string[]>),
    };
    return [saveCall, ackCall];
  };
}

/** The cases every storage has: flashes delivered inline, as the kit's link asks. */
function inlineFlashCases(
  app: Exclude<HttpApp, 'bare'>,
  cookie: (origin: string) => Promise<string>,
): HttpCase[] {
  // One browser per connection, each with a tab, as ten users of the app are.
  const browsers = async (origin: string) => {
    const cookies: string[] = [];
    for (let i = 0; i < CONNECTIONS; i += 1) cookies.push(await cookie(origin));
    return cookies;
  };
  return [
    {
      name: `${app}: flash inline, acknowledged on the next save`,
      app,
      budget: 'flashes',
      requestsPerFlash: 1,
      calls: async (origin) => flashingTabs(await browsers(origin), false),
    },
    {
      // The ack's own cost, where no other request carries it: a tab left idle after a toast.
      name: `${app}: flash inline, acknowledged by messages.ack`,
      app,
      requestsPerFlash: 2,
      calls: async (origin) => flashingTabs(await browsers(origin), true),
    },
  ];
}

/** The cases of a server storage, the same whichever its store: memory (server) or Redis. */
function serverStorageCases(app: 'server' | 'redis'): HttpCase[] {
  return [
    {
      // Every save appends to one session: past 50 messages the store drops the oldest, so each
      // save also trims (the memory store copies the session's 50: its worst case); the next
      // case is the usual flow.
      name: `${app}: save (50 pending)`,
      app,
      calls: async (origin) => [save(await sessionCookie(origin))],
    },
    {
      name: `${app}: save / consume in turn`,
      app,
      budget: 'requests',
      requestsPerFlash: 2,
      calls: async (origin) => {
        const session = await sessionCookie(origin);
        return [save(session), consume(session)];
      },
    },
    {
      // What the Toaster sends on every page load: usually there is nothing to show.
      name: `${app}: consume (0 pending)`,
      app,
      calls: async (origin) => {
        const session = await sessionCookie(origin);
        check((await consumeCount(origin, session)) === 2, 'the session did not hold its messages');
        check((await consumeCount(origin, session)) === 0, 'a consume left messages');
        return [consume(session)];
      },
    },
    // Browsers whose sessions start empty.
    ...inlineFlashCases(app, (origin) => redisBrowser(origin)),
  ];
}

/** A browser whose session on a server storage holds a cookie and starts empty. */
async function redisBrowser(origin: string): Promise<string> {
  const session = await sessionCookie(origin);
  check((await consumeCount(origin, session)) === 2, 'the session did not hold its messages');
  return session;
}

/** Whether `httpCase` is the flash flow's: after it, the app takes the concurrent saves. */
const isFlow = (httpCase: HttpCase) => httpCase.name.startsWith('flash flow: ');

/** The apps of the flash flow, ours first, and what the tables call them. */
const FLOW_APPS: readonly FlowApp[] = ['server', 'redis', 'cookie', ...PEER_APPS];
export const FLOW_NAMES: Readonly<Record<FlowApp, string>> = {
  server: 'trpc-messages, memory store',
  redis: 'trpc-messages, Redis',
  cookie: 'trpc-messages, cookie',
  express: 'Express + express-session + connect-flash, memory store',
  'express-redis': 'Express + express-session + connect-flash, connect-redis',
  fastify: 'Fastify + @fastify/session + @fastify/flash, memory store',
};

const cases: readonly HttpCase[] = [
  { name: 'bare: save', app: 'bare', calls: async () => [save()] },
  ...serverStorageCases('server'),
  ...serverStorageCases('redis'),
  // A browser without a messages cookie: each response sets one.
  { name: 'cookie: save', app: 'cookie', calls: async () => [save()] },
  {
    name: 'cookie: save / consume in turn',
    app: 'cookie',
    budget: 'requests',
    requestsPerFlash: 2,
    calls: async (origin) => [save(), consume(await messagesCookie(origin))],
  },
  ...inlineFlashCases('cookie', async () => ''),
  {
    // Each response deletes the cookie; the next request carries it again, as a new browser would.
    name: 'cookie: consume (1 pending)',
    app: 'cookie',
    calls: async (origin) => {
      const cookie = await messagesCookie(origin);
      check((await consumeCount(origin, cookie)) === 1, 'the cookie did not hold its message');
      return [consume(cookie)];
    },
  },
  // The flash flow on ours and on the peers, the same load: each connection a browser that
  // saves (a flash) and then shows it.
  ...FLOW_APPS.map(
    (app): HttpCase => ({
      name: `flash flow: ${FLOW_NAMES[app]}`,
      app,
      requestsPerFlash: 2,
      calls: async (origin) => {
        check((await flashOnce(origin, app)) === 1, `${app} did not show the message it saved`);
        return flashFlow(app);
      },
    }),
  ),
];

/** A benchmark server process, serving one app. */
interface ServerProcess {
  readonly origin: string;
  /** The process's CPU time so far, in microseconds. */
  cpuMicroseconds(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Whether the servers get a core of their own: with `taskset` and two cores or more, the app
 * servers (and the redis-server, whose work is then counted against the redis app as if Redis
 * ran beside it) run on core 0, and this process, the load generator, on the others. Unpinned,
 * the scheduler moves them all across the cores, and each request also pays for the load
 * generator evicting the server's caches: on the 2-core machine that added as much to a
 * request's cost as everything trpc-messages does, and made rounds vary by 10%.
 */
function pinServers(): boolean {
  if (!canPin()) {
    console.warn(
      '\nbench: taskset or a second core is missing: the servers are NOT pinned to a core\n',
    );
    return false;
  }
  pin(process.pid, LOAD_CORES);
  return true;
}

/**
 * Starts `app` in a child process. A child, not this process, so that the server has a core and
 * an event loop of its own: sharing one with autocannon, each request would also pay for the load
 * generator's work, which is the same with and without messages and would squeeze every ratio
 * towards 1. One process per app keeps the apps' heaps and JIT state apart. `onBaseline` runs
 * the app on the baseline's kit.
 */
async function startServer(
  app: BenchApp,
  pinning: boolean,
  args: readonly string[] = [],
  onBaseline = false,
): Promise<ServerProcess> {
  const script = (PEER_APPS as readonly string[]).includes(app)
    ? 'peer-server'
    : onBaseline
      ? `${BASELINE_FOLDER}/http-server`
      : 'http-server';
  const node = [
    // BENCH_SERVER_FLAGS passes node flags to the servers, such as --cpu-prof to profile them.
    ...benchScript(script, process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean)),
    app,
    ...args,
  ];
  const [command, ...rest] = pinned(node, SERVER_CORE, pinning);
  const child = spawn(command as string, rest, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const listening = await nextReport(child, app);
  if (!('port' in listening)) throw new Error(`bench: the ${app} server did not say its port`);
  return {
    origin: `http://127.0.0.1:${listening.port}`,
    async cpuMicroseconds() {
      child.send('cpu');
      const report = await nextReport(child, app);
      if (!('cpuMicroseconds' in report)) throw new Error(`bench: the ${app} server said no CPU`);
      return report.cpuMicroseconds;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

function nextReport(child: ChildProcess, app: BenchApp): Promise<ServerReport> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) =>
      reject(new Error(`bench: the ${app} server exited (code ${code}); see its output above`));
    child.once('exit', exited);
    child.once('message', (report) => {
      child.off('exit', exited);
      resolve(report as ServerReport);
    });
  });
}

/** Runs autocannon on `calls`, failing on any error or non-2xx response. */
async function load(
  servers: readonly ServerProcess[],
  calls: Call[] | Connection,
  seconds: number,
): Promise<autocannon.Result> {
  const requests = typeof calls === 'function' ? calls() : calls;
  const result = await autocannon({
    // Several servers: autocannon spreads the connections over them in turn (it takes a list,
    // which its types do not say).
    url: (servers.length === 1
      ? (servers[0] as ServerProcess).origin
      : servers.map((server) => server.origin)) as string,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    requests,
    // Each connection its own requests, and so its own tab and state.
    ...(typeof calls === 'function'
      ? { setupClient: (client) => client.setRequests(calls()) }
      : {}),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `bench: ${result.non2xx} non-2xx responses and ${result.errors} errors ` +
        `(${result.timeouts} timeouts) on ${requests.map((c) => `${c.method} ${c.path}`).join(', ')}; ` +
        `statuses: ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  return result;
}

/** One case's load on its server, and what it measured so far. */
interface Run {
  readonly name: string;
  readonly app: BenchApp;
  readonly budget: Budget | undefined;
  readonly requestsPerFlash: number | undefined;
  readonly servers: readonly ServerProcess[];
  readonly calls: Call[] | Connection;
  readonly requestsPerSecond: number[];
  readonly ratios: number[];
  readonly cpuRatios: number[];
  /** The same case on the baseline's server, and our rounds' ratios to its. */
  readonly baseline?: {
    readonly run: Run;
    readonly ratios: number[];
    readonly cpuRatios: number[];
  };
  cpuMicroseconds: number;
  seconds: number;
  requests: number;
  redisRoundTrips: number;
  redisCommands: number;
}

/** One measured load of a run: its requests/s and its server's CPU time per request. */
interface Round {
  readonly requestsPerSecond: number;
  readonly cpuPerRequest: number;
}

/**
 * A redis-server of the bench's own for the redis cases (never the machine's shared one: a free
 * port, a temporary directory, no persistence), or undefined, with a notice, where none is
 * installed: the redis cases are then left out.
 */
async function startRedis(): Promise<RedisServer | undefined> {
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  if (spawnSync(binary, ['--version']).error) {
    console.warn(
      `\nbench: redis-server not found (tried '${binary}'), so the redis cases are SKIPPED; ` +
        'install it (apt-get install redis-server) or set REDIS_SERVER to its path.\n',
    );
    return undefined;
  }
  return startRedisServer();
}

/** The numbers of instances of the redis app the scale-out runs: all on one Redis. */
const SCALE_INSTANCES = [1, 2, 4] as const;

/**
 * Runs the HTTP throughput benchmark on loopback: bare tRPC's server throughout, and one app at a
 * time (the apps on Redis on a redis-server the bench starts, if installed), each case warmed up,
 * then measured with autocannon in BENCH_ROUNDS (default 5) rounds of BENCH_SECONDS (default 3).
 * In each round every case runs right after a run of bare, and its ratio to bare is that pair's:
 * on a shared machine whose speed drifts by 10% from one minute to the next, pairs taken seconds
 * apart stay comparable. A case's figures are the medians of its rounds. After an app's rounds,
 * the apps of the flash flow take the concurrent saves; last, the redis app runs on 1, 2 and 4
 * instances at once (BENCH_ONLY picks that by 'scale'). With a `baseline`, each case of the kit's
 * apps also runs on the baseline's server, in the same rounds, after the same run of bare.
 */
export async function benchHttp(baseline?: Baseline): Promise<HttpBench> {
  const seconds = positiveFromEnv('BENCH_SECONDS', 3);
  const rounds = positiveFromEnv('BENCH_ROUNDS', 5);
  // BENCH_ONLY (a regular expression) picks cases by name, to study some; bare always runs.
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  const pinning = pinServers();
  const redis = await startRedis();
  if (redis && pinning) pin(redis.pid(), SERVER_CORE);
  // Reads Redis's command counts around each round of the cases on Redis.
  const redisAdmin = redis && new Redis(redis.url);
  const bareServer = await startServer('bare', pinning);
  const newRun = async (
    { name, app, budget, requestsPerFlash }: HttpCase,
    servers: readonly ServerProcess[],
    calls: Call[] | Connection,
    baselineRun?: Run,
  ): Promise<Run> => {
    const run: Run = {
      name,
      app,
      budget,
      requestsPerFlash,
      servers,
      calls,
      requestsPerSecond: [],
      ratios: [],
      cpuRatios: [],
      ...(baselineRun ? { baseline: { run: baselineRun, ratios: [], cpuRatios: [] } } : {}),
      cpuMicroseconds: 0,
      seconds: 0,
      requests: 0,
      redisRoundTrips: 0,
      redisCommands: 0,
    };
    await load(run.servers, run.calls, WARM_UP_SECONDS);
    return run;
  };
  const prepare = async (httpCase: HttpCase, server: ServerProcess, baselineRun?: Run) =>
    newRun(httpCase, [server], await httpCase.calls(server.origin), baselineRun);
  const cpuOf = async (servers: readonly ServerProcess[]) =>
    (await Promise.all(servers.map((server) => server.cpuMicroseconds()))).reduce((a, b) => a + b);
  const measure = async (run: Run): Promise<Round> => {
    const meter = onRedis(run.app) ? redisAdmin : undefined;
    const commandsBefore = meter && (await commandCounts(meter));
    const cpuBefore = await cpuOf(run.servers);
    const result = await load(run.servers, run.calls, seconds);
    const cpu = (await cpuOf(run.servers)) - cpuBefore;
    if (meter && commandsBefore) {
      const ran = commandsBetween(commandsBefore, await commandCounts(meter));
      run.redisRoundTrips += scriptRoundTrips(ran);
      run.redisCommands += Object.values(ran).reduce((a, b) => a + b, 0);
    }
    run.cpuMicroseconds += cpu;
    run.seconds += result.duration;
    run.requests += result.requests.total;
    const round = {
      requestsPerSecond: result.requests.total / result.duration,
      cpuPerRequest: cpu / result.requests.total,
    };
    run.requestsPerSecond.push(round.requestsPerSecond);
    return round;
  };
  const pairedRounds = async (appRuns: readonly Run[]) => {
    for (let round = 0; round < rounds; round += 1) {
      for (const run of appRuns) {
        const before = await measure(bare);
        const pair = async (side: Run) => {
          const after = await measure(side);
          side.ratios.push(after.requestsPerSecond / before.requestsPerSecond);
          side.cpuRatios.push(before.cpuPerRequest / after.cpuPerRequest);
          return after;
        };
        if (!run.baseline) {
          await pair(run);
          continue;
        }
        // Ours and the baseline in turn first, so that neither always runs nearer bare's run.
        const { baseline } = run;
        let ours: Round;
        let theirs: Round;
        if (round % 2 === 0) {
          ours = await pair(run);
          theirs = await pair(baseline.run);
        } else {
          theirs = await pair(baseline.run);
          ours = await pair(run);
        }
        baseline.ratios.push(ours.requestsPerSecond / theirs.requestsPerSecond);
        baseline.cpuRatios.push(theirs.cpuPerRequest / ours.cpuPerRequest);
      }
    }
  };
  const [bareCase, ...appCases] = cases;
  if (bareCase?.app !== 'bare') throw new Error('bench: the bare case must come first');
  const bare = await prepare(bareCase, bareServer);
  const figureOf = (run: Run): HttpFigure => ({
    name: run.name,
    app: run.app,
    budget: run.budget,
    requestsPerFlash: run.requestsPerFlash,
    requestsPerSecond: median(run.requestsPerSecond),
    lowest: Math.min(...run.requestsPerSecond),
    highest: Math.max(...run.requestsPerSecond),
    ratio: run === bare ? 1 : median(run.ratios),
    cpuRatio: run === bare ? 1 : median(run.cpuRatios),
    ratioSpread: run === bare ? [1, 1] : [Math.min(...run.ratios), Math.max(...run.ratios)],
    serverCpu: run.cpuMicroseconds / (run.seconds * 1e6),
    cpuPerRequest: run.cpuMicroseconds / run.requests,
    redisRoundTrips: onRedis(run.app) ? run.redisRoundTrips / run.requests : undefined,
    redisCommands: onRedis(run.app) ? run.redisCommands / run.requests : undefined,
    ...(run.baseline
      ? {
          baseline: {
            figure: figureOf(run.baseline.run),
            times: median(run.baseline.ratios),
            spread: [Math.min(...run.baseline.ratios), Math.max(...run.baseline.ratios)],
            cpuTimes: median(run.baseline.cpuRatios),
          },
        }
      : {}),
  });
  const redisArgs = (app: BenchApp) => (redis && onRedis(app) ? [redis.url] : []);
  try {
    const runs: Run[] = [bare];
    const concurrent: Array<{ app: FlowApp } & ConcurrentSaves> = [];
    // One app at a time, its server started for its cases and stopped after them: servers left
    // idle beside the measured one on its core made its first case of each round 15 to 30% slower.
    const apps = [...new Set(appCases.map((c) => c.app))];
    for (const app of apps) {
      if (onRedis(app) && !redis) continue; // without redis-server
      const picked = appCases.filter((c) => c.app === app && (!only || only.test(c.name)));
      if (picked.length === 0) continue;
      const server = await startServer(app, pinning, redisArgs(app));
      let baselineServer: ServerProcess | undefined;
      try {
        // The peers' cases are not the kit's: a baseline leaves them alone.
        if (baseline && isKitApp(app)) {
          baselineServer = await startServer(app, pinning, redisArgs(app), true);
        }
        const appRuns: Run[] = [];
        for (const httpCase of picked) {
          const baselineRun = baselineServer && (await prepare(httpCase, baselineServer));
          appRuns.push(await prepare(httpCase, server, baselineRun));
        }
        await pairedRounds(appRuns);
        runs.push(...appRuns);
        if (app !== 'bare' && FLOW_APPS.includes(app) && picked.some(isFlow)) {
          concurrent.push({ app, ...(await concurrentSaves(server.origin, app)) });
        }
      } finally {
        await server.close();
        await baselineServer?.close();
      }
    }
    // A baseline does not run the scale-out: its instances beside ours on the one core would
    // measure the crowding, and the redis app's cases above already compare the code.
    const scale: HttpFigure[] = [];
    if (redis && (!only || only.test('scale'))) {
      for (const instances of SCALE_INSTANCES) {
        const servers: ServerProcess[] = [];
        try {
          for (let i = 0; i < instances; i += 1) {
            servers.push(await startServer('redis', pinning, redisArgs('redis')));
          }
          const [first] = servers as [ServerProcess];
          const [inline] = inlineFlashCases('redis', (origin) => redisBrowser(origin));
          if (!inline) throw new Error('bench: no inline flash case');
          const run = await newRun(
            { ...inline, name: `redis: flash inline, ${instances} instance(s) on one Redis` },
            servers,
            await inline.calls(first.origin),
          );
          await pairedRounds([run]);
          scale.push(figureOf(run));
        } finally {
          await Promise.all(servers.map((server) => server.close()));
        }
      }
    }
    return { figures: runs.map(figureOf), concurrent, scale };
  } finally {
    await bareServer.close();
    redisAdmin?.disconnect();
    await redis?.stop();
  }
}
