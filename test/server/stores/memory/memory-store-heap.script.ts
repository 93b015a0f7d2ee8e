/**
 * Fills a MemoryStore bounded to 16 MiB with messages whose weight is in one part (parameters,
 * action inputs, keys and extra tags, inputs of many small values), six times over, and prints
 * how much the heap grew with each, after a full garbage collection, as JSON. Run under
 * --expose-gc by memory-store.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../../../../server/stores/memory/memory-store.js';
import type { StoredMessage } from '../../../../shared/message.js';

const MAX_BYTES = 16 * 1024 * 1024;
// Messages of about 8 KB of weight, which the store counts twice: it holds about a thousand.
const MESSAGES = 6000;

/** A fresh string of `length` characters: its own memory, shared with no other. */
const fresh = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);

const action = (input: unknown) => ({
  label: 'Undo',
  path: 'tasks.restore',
  input: JSON.parse(JSON.stringify(input)),
  expiresAt: 0,
  token: fresh(43),
});

/** Messages of each shape, by the part their weight is in. */
const shapes: Record<string, (i: number) => StoredMessage> = {
  parameters: (i) => ({
    id: `p${i}`,
    level: 25,
    message: '',
    extraTags: '',
    translation: { key: 'task.created', params: { title: fresh(7000), note: fresh(1000) } },
  }),
  'action inputs': (i) => ({
    id: `a${i}`,
    level: 30,
    message: 'Task deleted.',
    extraTags: '',
    action: action({ id: i, title: fresh(8000) }),
  }),
  'keys and extra tags': (i) => ({
    id: `k${i}`,
    level: 20,
    message: 'Saved.',
    extraTags: fresh(8000),
    key: fresh(128),
  }),
  // The worst shape for memory per byte of weight: small values, each its own object in V8.
  'inputs of many small values': (i) => ({
    id: `s${i}`,
    level: 30,
    message: 'Tasks deleted.',
    extraTags: '',
    action: action(Array.from({ length: 120 }, (_, n) => ({ n, id: fresh(8) }))),
  }),
};

const gc = globalThis.gc as () => void;
const heap = () => {
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
};

const growth: Record<string, { heapBytes: number; estimatedBytes: number }> = {};
for (const [name, make] of Object.entries(shapes)) {
  const store = new MemoryStore({ maxBytes: MAX_BYTES, maxKeys: 1_000_000, onDrop: () => {} });
  const before = heap();
  for (let i = 0; i < MESSAGES; i += 1) {
    await store.commit(`session:${name}:${i}`, { added: [make(i)] });
  }
  const heapBytes = heap() - before;
  growth[name] = { heapBytes, estimatedBytes: store.bytes };
  // Used after the measurement, so the collector cannot take it before.
  await store.peek('session:none');
}
console.log(JSON.stringify({ maxBytes: MAX_BYTES, growth }));
