import { benchHttp } from './http.bench.js';
const figures = await benchHttp();
console.table(figures.map((f) => ({ name: f.name, rps: Math.round(f.requestsPerSecond), ratio: f.ratio.toFixed(3), spread: f.ratioSpread.map((x) => x.toFixed(3)).join('-'), flashes: f.requestsPerFlash ? (f.ratio / f.requestsPerFlash).toFixed(3) : '', cpuUs: f.cpuPerRequest.toFixed(1), byCpu: f.cpuRatio.toFixed(3), rt: f.redisRoundTrips?.toFixed(3) })));
