/**
 * Builds the bench into .bench/ as JavaScript, which `npm run bench` then runs. An app runs the
 * kit as compiled JavaScript (dist, built by tsc). tsx, which runs TypeScript in development,
 * names every function its transform makes (esbuild's keepNames: a call per closure made), and
 * on a storage cycle of a few microseconds that costs about a fifth more, a cost no app pays.
 * So the bench, with the kit's code and the servers it forks, is bundled here without it;
 * packages stay external, loaded from node_modules as an app loads them. The output sits one
 * level below the repository, as bench/ does, so paths relative to a bench file hold in both.
 * With BENCH_BASELINE=<git ref>, the bench's files that run the kit are bundled a second time,
 * against that version of the kit, into .bench/baseline/ (see baseline-bundle.ts).
 */
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildBaseline } from './baseline-bundle.js';
import { bundleBench } from './bundle-bench.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}.bench`;

rmSync(out, { recursive: true, force: true });
// The driver, and each file the driver runs in a process of its own.
await bundleBench(root, ['run', 'http-server', 'peer-server', 'memory-store.bench'], out);
copyFileSync(`${root}bench/django-cycle.py`, `${out}/django-cycle.py`);
const ref = process.env.BENCH_BASELINE;
if (ref) await buildBaseline(root, ref, out);
