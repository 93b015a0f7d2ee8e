/**
 * Makes kits that listen to one store's drops, then lets all but one of each kind go: kits with
 * their own onDrop, kits that report drops to their own onError, and kits given an onDrop the app
 * keeps. Prints, as JSON, how many of them the collector took, who heard of a drop
 * afterwards, and how many weak registrations a `Listeners` kept once their listeners were
 * collected. Run under --expose-gc by drops.test.ts.
 */
import { Listeners } from '../../../server/reports/listeners.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { createMessages } from '../../../server/trpc/create-messages.js';

const KITS = 1000;
const gc = globalThis.gc as () => void;
const store = new MemoryStore({ maxMessagesPerKey: 1 });
const storage = serverStorage({ secret: 'collected-kits-secret-0123456789abcdef', store });
const heard = { onDrop: 0, onError: 0, sharedOnDrop: 0 };
let collected = 0;
const collector = new FinalizationRegistry<string>(() => {
  collected += 1;
});

/** A kit with its own onDrop, and one with its own onError, each watched for its collection. */
function makeKits() {
  const onDrop = () => {
    heard.onDrop += 1;
  };
  const onError = () => {
    heard.onError += 1;
  };
  // Held by their kits alone: collected with them.
  collector.register(onDrop, 'onDrop');
  collector.register(onError, 'onError');
  return [createMessages({ storage, onDrop }), createMessages({ storage, onError })];
}

// An onDrop the app keeps for good, given to kits it lets go: it must not keep them listening.
const sharedOnDrop = () => {
  heard.sharedOnDrop += 1;
};

for (let i = 0; i < KITS; i += 1) {
  makeKits();
  collector.register(createMessages({ storage, onDrop: sharedOnDrop }), 'kit');
}

/** Runs the collector and lets its finalizers run, until `done` or a hundred turns. */
async function collect(done: () => boolean) {
  for (let turn = 0; turn < 100 && !done(); turn += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const kept = makeKits();
await collect(() => collected === 3 * KITS);

// One drop: the second message pushes the first out.
const message = (id: string) => ({ id, level: 20, message: id, extraTags: '' });
await store.commit('session:k', { added: [message('first')] });
await store.commit('session:k', { added: [message('second')] });

const listeners = new Listeners<number>();
for (let i = 0; i < KITS; i += 1) listeners.add(() => {}, { weak: true });
const registered = listeners.size;
await collect(() => listeners.size === 0);

console.log(
  JSON.stringify({
    kits: KITS,
    collected,
    heard,
    registered,
    left: listeners.size,
    kept: kept.length,
  }),
);
