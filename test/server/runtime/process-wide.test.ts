import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processWide } from '../../../server/runtime/process-wide.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

type Library = typeof import('../../../server/index.js');

/**
 * A separate copy of the library's server entry, as a framework that bundles it twice loads it
 * (Next.js puts Server Actions in a chunk of their own) or re-runs it on a recompile.
 */
async function freshCopy(): Promise<Library> {
  vi.resetModules();
  return import('../../../server/index.js');
}

/** A request for the app's `save` mutation. */
const save = () =>
  new Request('http://app.test/trpc/save', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

/** Forgets the process's development secret, as a process that has not made one yet. */
function forgetDevelopmentSecret(): void {
  const shared = (globalThis as { [key: symbol]: Map<string, unknown> | undefined })[
    Symbol.for('trpc-messages.process-wide.v1')
  ];
  shared?.delete('development-secret');
}

/** A fetch handler of one app over one copy of the library, on its defaults. */
function appOn(library: Library) {
  const messages = library.createMessages();
  const t = initTRPC.context<{ messages: ReturnType<typeof messages.fromRequest> }>().create();
  const procedure = t.procedure.use(messages.persist);
  const router = t.router({
    messages: messages.router,
    save: procedure.mutation(({ ctx }) => ctx.messages.success('Saved.')),
  });
  return (request: Request) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: request,
      router,
      createContext: (opts) => ({ messages: messages.fromRequest(opts) }),
    });
}

describe('process-wide defaults', () => {
  it('gives every copy of the library in a process one default store and one development secret', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    vi.stubEnv('MESSAGES_SECRET', undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saveOn = appOn(await freshCopy());
    const consumeOn = appOn(await freshCopy());

    const saved = await saveOn(save());
    expect(saved.status).toBe(200);
    const cookie = saved.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^messages_session=/);
    const consumed = await consumeOn(
      new Request('http://app.test/trpc/messages.consume', { headers: { cookie } }),
    );

    const body = (await consumed.json()) as { result: { data: { messages: unknown[] } } };
    expect(body.result.data.messages).toEqual([expect.objectContaining({ message: 'Saved.' })]);
  });

  it('warns of the development secret once for the whole process, however many copies sign', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    vi.stubEnv('MESSAGES_SECRET', undefined);
    forgetDevelopmentSecret();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const library of [await freshCopy(), await freshCopy()]) {
      expect((await appOn(library)(save())).status).toBe(200);
    }

    const secretWarnings = warn.mock.calls.filter(([text]) => String(text).includes('secret'));
    expect(secretWarnings).toHaveLength(1);
  });

  it('makes a value once per process, whoever asks first', () => {
    const name = `test-${Math.random()}`;
    const create = vi.fn(() => ({ made: true }));
    const first = processWide(name, create);
    expect(processWide(name, create)).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });
});
