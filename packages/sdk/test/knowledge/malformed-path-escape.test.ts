import { describe, expect, test } from 'vitest';
import { useTestKnowledge } from '../_knowledge-server.ts';

// A path parameter with a malformed percent-escape (`%zz`, a cut UTF-8 sequence) is refused like any
// other invalid parameter: 400 validation_failed with the parameter named in details.issues.

const knowledge = useTestKnowledge();

describe('a path parameter with a malformed percent-escape answers 400 naming it and touches nothing', () => {
  test.each([
    ['GET', '/facts/abc%zz', 'key'],
    ['GET', '/facts/%E0%A4%A', 'key'],
    ['DELETE', '/facts/abc%zz', 'key'],
    ['DELETE', '/facts/hosts/%zz/models', 'key'],
    ['DELETE', '/peers/peer%E0%A4', 'id'],
  ])('%s %s names %s', async (method, path, field) => {
    await knowledge.client.put({ key: 'abc', value: 'kept' });
    const { status, json } = await knowledge.call(method, path);
    expect(status).toBe(400);
    expect(json).toMatchObject({
      error: {
        code: 'validation_failed',
        message: `${field}: Malformed percent-encoding in the URL path`,
        details: {
          issues: [{ field, message: 'Malformed percent-encoding in the URL path', code: 'invalid_format' }],
        },
      },
    });
    expect((await knowledge.client.get('abc')).value).toBe('kept');
  });

  test('HEAD of such a path answers 400 too', async () => {
    expect((await knowledge.call('HEAD', '/facts/a%2')).status).toBe(400);
  });

  test('a malformed path that matches no route still answers 400, naming no parameter', async () => {
    const { status, json } = await knowledge.call('GET', '/fact/abc%zz');
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: 'validation_failed', message: expect.any(String) } });
    expect(json?.error).not.toHaveProperty('details');
  });

  test('a well-formed escape in a key is still decoded', async () => {
    await knowledge.client.put({ key: 'a b/100%', value: 'spaced' });
    expect((await knowledge.call('GET', '/facts/a%20b%2F100%25')).json).toMatchObject({ key: 'a b/100%' });
  });
});
