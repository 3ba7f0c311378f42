import { describe, expect, test } from 'vitest';
import { useTestKnowledge } from '../_knowledge-server.ts';

// A key never ends with `/`. The router drops one trailing slash before capturing `**:key`, so
// `/facts/a/` used to address fact `a`, and `DELETE /facts/hosts/ezra/` deleted `hosts/ezra`.

const knowledge = useTestKnowledge();
const call = knowledge.call;

describe('a path to a key with a trailing slash answers 400 naming key and touches nothing', () => {
  test.each([
    ['GET', '/facts/a/'],
    ['DELETE', '/facts/a/'],
    ['DELETE', '/facts/hosts/ezra/'],
    ['GET', '/facts/hosts/ezra/'],
    ['GET', '/facts/hosts%2Fezra/'],
  ])('%s %s', async (method, path) => {
    await knowledge.client.putBatch([
      { key: 'a', value: 'alpha' },
      { key: 'hosts/ezra', value: 'host' },
    ]);
    const { status, json } = await call(method, path);
    expect(status).toBe(400);
    expect(json).toMatchObject({
      error: { code: 'validation_failed', details: { issues: [expect.objectContaining({ field: 'key' })] } },
    });
    expect((await knowledge.client.get('a')).value).toBe('alpha');
    expect((await knowledge.client.get('hosts/ezra')).value).toBe('host');
  });

  test('HEAD of such a path answers 400 too', async () => {
    expect((await call('HEAD', '/facts/a/')).status).toBe(400);
  });

  test('the same keys without the slash are still read and deleted', async () => {
    await knowledge.client.put({ key: 'hosts/ezra', value: 'host' });
    expect((await call('GET', '/facts/hosts/ezra')).status).toBe(200);
    expect((await call('DELETE', '/facts/hosts/ezra')).json).toMatchObject({ key: 'hosts/ezra', deleted: true });
  });
});
