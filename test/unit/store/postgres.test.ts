import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { storeSuite } from './suite';

let server: TestPostgres | undefined;

storeSuite('PostgreSQL', {
  skip: postgresAvailable() ? undefined : NO_POSTGRES,
  setup: async () => {
    server = await startTestPostgres();
  },
  open: async () => PostgresJobStore.open({ url: await server!.createDatabase() }),
  teardown: async () => server?.close(),
});
