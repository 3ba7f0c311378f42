// A script that uses a PostgresMessageStore the way an operator's script does (bundled and run in
// a child process by postgres-process-exit.test.ts): opens it, sends, and either closes it or not.
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';

const [url, mode] = process.argv.slice(2);
const store = await PostgresMessageStore.open({ url: url!, poolSize: 2 });
for (let i = 0; i < 3; i++) {
  await store.sendBatch([
    {
      from: 'script',
      to: 'worker',
      payload: i,
      type: 'message',
      priority: 0,
      delaySeconds: 0,
      ttlSeconds: null,
      idempotencyKey: null,
    },
  ]);
}
if (mode === 'close') await store.close();
process.stdout.write('done\n');
