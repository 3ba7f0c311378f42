import { describe, expect, test } from 'vitest';
import { redactUrl, redactUrlCredentials } from '../../src/internal/url-credentials.ts';

describe('URL credentials in messages', () => {
  test('a password with a raw # or ? (a URL that does not parse) is masked in a message', () => {
    expect(redactUrlCredentials('--url: invalid base URL: http://admin:hun#ter2@example.com')).toBe(
      '--url: invalid base URL: http://***@example.com',
    );
    expect(redactUrlCredentials('cannot reach postgres://u:hun?ter2@db:5432/fleet: refused')).toBe(
      'cannot reach postgres://***@db:5432/fleet: refused',
    );
  });

  test('one URL as written: everything up to its last @ is masked, a raw / included, and its query', () => {
    expect(redactUrl('http://a:b/c@d/e')).toBe('http://***@d/e');
    expect(redactUrl('postgres://u:p@ss/w#rd?x@127.0.0.1:1/db')).toBe('postgres://***@127.0.0.1:1/db');
    expect(redactUrl('http://127.0.0.1:99999/?token=SECRET')).toBe('http://127.0.0.1:99999/?***');
    expect(redactUrl('http://127.0.0.1:99999/#token=SECRET')).toBe('http://127.0.0.1:99999/#***');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
