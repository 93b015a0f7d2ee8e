import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisOutage, RedisOutageError } from '../../../../server/stores/redis/redis-outage.js';

/** An outage tracker and what it reported. */
function tracked() {
  const reports: RedisOutageError[] = [];
  return { outage: new RedisOutage((error) => reports.push(error)), reports };
}

describe('RedisOutage', () => {
  it('reports the first error at once, counts the retries, and summarises once the client is back', () => {
    const { outage, reports } = tracked();
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    outage.failed('', refused);
    for (let i = 0; i < 40; i++) outage.failed('', new Error('connect ECONNREFUSED'));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.message).toBe(
      'trpc-messages: lost the connection to Redis (connect ECONNREFUSED 127.0.0.1:6379); until ' +
        'it is back, messages are neither stored nor read and requests go on without them; check ' +
        'that Redis is up and reachable from this process',
    );
    expect(reports[0]?.cause).toBe(refused);

    outage.recovered('');
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({ connectionErrors: 41, ms: expect.any(Number) });
    expect(reports[1]?.message).toMatch(
      /^trpc-messages: Redis was unreachable for \d+\.\d s \(41 connection errors\); it answers again$/,
    );
    // Connected and nothing failing: nothing to say.
    outage.recovered('');
    expect(reports).toHaveLength(2);
  });

  it('names an error with no message by its code (Node’s AggregateError of a refused connect)', () => {
    const { outage, reports } = tracked();
    outage.failed('', Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }));
    expect(reports[0]?.message).toContain('lost the connection to Redis (ECONNREFUSED)');
  });

  it('ends a cluster’s outage once every failing node is back or gone from the cluster', () => {
    const { outage, reports } = tracked();
    outage.failed('127.0.0.1:7001', new Error('connect ECONNREFUSED'));
    outage.failed('127.0.0.1:7002', new Error('connect ECONNREFUSED'));
    outage.recovered('127.0.0.1:7002');
    // 7001 is still among the cluster's nodes, and failing.
    outage.nodes(['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003']);
    expect(reports).toHaveLength(1);
    // Failed over: the refreshed cluster no longer has it.
    outage.nodes(['127.0.0.1:7002', '127.0.0.1:7003', '127.0.0.1:7004']);
    expect(reports.map(({ ms }) => ms === undefined)).toEqual([true, false]);
    expect(reports[1]?.connectionErrors).toBe(2);
  });

  it('reports, for any sequence of failures and recoveries, a start as the first source fails and an end as the last recovers, alternately, counting every failure', () => {
    const source = fc.constantFrom('', '127.0.0.1:7001', '127.0.0.1:7002');
    const event = fc.oneof(
      fc.record({ kind: fc.constant('failed' as const), source }),
      fc.record({ kind: fc.constant('recovered' as const), source }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { outage, reports } = tracked();
        // The model: what is failing, and the failures since the outage began.
        const failing = new Set<string>();
        let errors = 0;
        const expected: (number | 'started')[] = [];
        for (const { kind, source } of events) {
          if (kind === 'failed') {
            outage.failed(source, new Error('down'));
            if (failing.size === 0) expected.push('started');
            failing.add(source);
            errors += 1;
          } else {
            outage.recovered(source);
            if (failing.delete(source) && failing.size === 0) {
              expected.push(errors);
              errors = 0;
            }
          }
        }
        const seen = reports.map((report) =>
          report.ms === undefined ? 'started' : report.connectionErrors,
        );
        expect(seen).toEqual(expected);
        for (const report of reports) expect(report).toBeInstanceOf(RedisOutageError);
      }),
    );
  });
});
