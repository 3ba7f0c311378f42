import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFleetHttpError, type KnowledgeClient, PeerInput } from '../../src/index.ts';
import { rejectionOf } from '../_bus-server.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';

let node: TestKnowledge;
let client: KnowledgeClient;

beforeAll(async () => {
  node = await startTestKnowledge();
  client = node.client();
});
afterAll(() => node.close());

/** Status, fields and message of a refused `POST /peers`. */
async function refusal(url: string) {
  const error = await rejectionOf(client.addPeer({ id: 'p', url }));
  if (!isFleetHttpError(error)) throw error;
  const issues = (error.details as { issues?: Array<{ field: string; message: string }> } | undefined)?.issues ?? [];
  return { status: error.status, code: error.code, fields: issues.map((issue) => issue.field), message: error.message };
}

describe('POST /peers: a peer URL is a base URL', () => {
  test.each([
    ['a query string', 'http://127.0.0.1:29630/admin/creds?x=', /query string/],
    ['an empty query string', 'http://127.0.0.1:29630/?', /query string/],
    ['a fragment', 'http://127.0.0.1:29630/knowledge#top', /fragment/],
    ['credentials', 'http://user:secret@127.0.0.1:29630', /credentials/],
    ['percent-encoded characters in the path', 'http://127.0.0.1:29630/admin%3Fx=', /base path/],
    ['a path with spaces', 'http://127.0.0.1:29630/a b', /base path/],
  ])('a URL with %s is refused with 400 naming url', async (_name, url, why) => {
    const refused = await refusal(url);
    expect(refused).toMatchObject({ status: 400, code: 'validation_failed', fields: ['url'] });
    expect(refused.message).toMatch(why);
    expect(refused.message).not.toContain('secret');
  });

  test.each([
    'http://127.0.0.1:29630',
    'http://127.0.0.1:29630/',
    'https://knowledge.example.com/fleet/knowledge',
    'https://knowledge.example.com/fleet/knowledge/',
    'http://[::1]:8651/v1.2_x~y',
  ])('%s is accepted', async (url) => {
    const peer = await client.addPeer({ id: 'accepted', url });
    expect(peer.url).toBe(url);
  });

  test('the PeerInput schema refuses the same URLs, naming url', () => {
    const result = PeerInput.safeParse({ id: 'p', url: 'http://127.0.0.1:1/x?y=' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['url']);
  });
});
