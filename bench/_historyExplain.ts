// EXPLAIN (ANALYZE, BUFFERS) of the statements the history benchmark times, built by the store's
// own query builders, so that a slow figure comes with the plan that explains it.
import pg from 'pg';
import { selectEvents, selectEventsBefore } from '../src/core/store/eventSql';
import { OPEN_TAIL_BYTES } from '../src/shared/hubProtocol';
import { buildListQuery } from '../src/core/store/listQuery';
import type { JobQuery } from '../src/shared/jobs';
import type { History } from './_historyData';

/** Each statement's plan as text, by name. */
export async function explainAll(url: string, history: History, lists: Record<string, JobQuery>): Promise<Record<string, string>> {
  const statements = {
    ...Object.fromEntries(Object.entries(lists).map(([name, query]) => [name, buildListQuery(query)])),
    flood_head: selectEvents(history.flood.id, 0),
    flood_tail: selectEventsBefore(history.flood.id, undefined, { maxBytes: OPEN_TAIL_BYTES }),
    one_line_head: selectEvents(history.oneLine.id, 0),
    one_line_tail: selectEventsBefore(history.oneLine.id, undefined, { maxBytes: OPEN_TAIL_BYTES }),
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plans: Record<string, string> = {};
    for (const [name, { text, values }] of Object.entries(statements)) {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
      plans[name] = rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    return plans;
  } finally {
    await client.end();
  }
}
