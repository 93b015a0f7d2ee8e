/**
 * The memory store's memory per 10,000 sessions, each holding one message (its default bound is
 * 10,000 sessions): the heap after a full garbage collection, with the sessions and without.
 * Run in a process of its own under --expose-gc, `memory-store.bench measure`, which prints the
 * figure as JSON; `memoryPer10kSessions()` does that and reads it.
 */
import { spawnSync } from 'node:child_process';
import { newMessageId } from '../server/messages/message-id.js';
import { MemoryStore } from '../server/stores/memory/memory-store.js';
import { benchScript } from './script.js';

const SESSIONS = 10_000;

/** What one measurement found. */
export interface MemoryFigure {
  readonly sessions: number;
  /** Heap bytes the sessions took, after a full GC, in all. */
  readonly heapBytes: number;
  /** The store's own estimate of its keys' and messages' bytes (what maxBytes bounds). */
  readonly estimatedBytes: number;
}

/** Runs this file under --expose-gc and returns what it measured. */
export function memoryPer10kSessions(): MemoryFigure {
  const [node, ...args] = benchScript('memory-store.bench', ['--expose-gc']);
  const run = spawnSync(node as string, [...args, 'measure'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench: the memory measurement failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as MemoryFigure;
}

async function measure(): Promise<MemoryFigure> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('bench/memory-store.bench.ts: run it with --expose-gc');
  const settle = () => {
    for (let i = 0; i < 3; i += 1) gc();
    return process.memoryUsage().heapUsed;
  };
  const store = new MemoryStore({ onDrop: () => {} });
  // Keys as the server storage makes them (a random session id); made before the baseline, as
  // the browsers' cookies hold them, not the store.
  const keys = Array.from({ length: SESSIONS }, () => `session:${newMessageId()}${newMessageId()}`);
  const messages = keys.map((_, i) => ({
    id: newMessageId(),
    level: 25,
    message: `Task ${i} saved.`,
    extraTags: '',
  }));
  const before = settle();
  for (let i = 0; i < SESSIONS; i += 1) {
    await store.commit(keys[i] as string, { added: [messages[i] as (typeof messages)[number]] });
  }
  const after = settle();
  const estimatedBytes = store.bytes;
  // The store is used after the measurement, so the collector cannot take it before.
  await store.commit(keys[0] as string, { handOut: 'take' });
  return { sessions: SESSIONS, heapBytes: after - before, estimatedBytes };
}

if (process.argv[2] === 'measure') console.log(JSON.stringify(await measure()));
