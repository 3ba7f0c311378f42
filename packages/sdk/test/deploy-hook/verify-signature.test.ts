import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../src/deploy-hook/verify-signature.ts';

const encode = (text: string) => new TextEncoder().encode(text);

describe('verifyWebhookSignature', () => {
  test("GitHub's published test vector verifies in the github format", () => {
    const rawBody = encode('Hello, World!');
    const headers = {
      'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    };
    expect(verifyWebhookSignature({ rawBody, headers, secrets: ["It's a Secret to Everybody"] })).toEqual({
      ok: true,
      format: 'github',
    });
    expect(signWebhookBody("It's a Secret to Everybody", 'Hello, World!')).toBe(headers['X-Hub-Signature-256']);
  });

  test("Gitea's bare hex X-Gitea-Signature verifies in the gitea format", () => {
    const rawBody = encode('{"ref":"refs/heads/main"}');
    const hex = createHmac('sha256', 's3cret').update(rawBody).digest('hex');
    const headers = new Headers({ 'x-gitea-signature': hex });
    expect(verifyWebhookSignature({ rawBody, headers, secrets: ['s3cret'] })).toEqual({ ok: true, format: 'gitea' });
  });

  test('the signature covers the exact bytes: the same JSON re-serialized does not verify', () => {
    const signed = encode('{"a": 1}');
    const header = { 'x-hub-signature-256': signWebhookBody('k', signed) };
    expect(verifyWebhookSignature({ rawBody: signed, headers: header, secrets: ['k'] }).ok).toBe(true);
    expect(verifyWebhookSignature({ rawBody: encode('{"a":1}'), headers: header, secrets: ['k'] })).toEqual({
      ok: false,
      reason: 'signature does not match the body',
    });
  });

  test('while rotating, a body signed with either of two secrets verifies, and a third does not', () => {
    const rawBody = encode('{}');
    const secrets = ['old-secret', 'new-secret'];
    for (const secret of secrets) {
      const headers = { 'x-hub-signature-256': signWebhookBody(secret, rawBody) };
      expect(verifyWebhookSignature({ rawBody, headers, secrets }).ok).toBe(true);
    }
    const headers = { 'x-hub-signature-256': signWebhookBody('other', rawBody) };
    expect(verifyWebhookSignature({ rawBody, headers, secrets }).ok).toBe(false);
  });

  test('a missing, malformed or prefix-less signature is refused with a reason', () => {
    const rawBody = encode('{}');
    const hex = createHmac('sha256', 'k').update(rawBody).digest('hex');
    expect(verifyWebhookSignature({ rawBody, headers: {}, secrets: ['k'] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^missing signature/),
    });
    for (const value of [hex, 'sha256=zz', `sha256=${hex.slice(2)}`, `sha1=${hex}`]) {
      expect(verifyWebhookSignature({ rawBody, headers: { 'x-hub-signature-256': value }, secrets: ['k'] }).ok).toBe(
        false,
      );
    }
  });

  test('without a non-blank secret nothing verifies, not even an unsigned body', () => {
    const rawBody = encode('{}');
    const headers = { 'x-hub-signature-256': signWebhookBody('', rawBody) };
    expect(verifyWebhookSignature({ rawBody, headers, secrets: ['', ' '] })).toEqual({
      ok: false,
      reason: 'no webhook secret is configured',
    });
  });
});
