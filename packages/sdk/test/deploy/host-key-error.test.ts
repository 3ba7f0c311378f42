import { describe, expect, test } from 'vitest';
import { checkHostKey } from '../../src/deploy/ssh/check-host-key.ts';
import { hostKeyFingerprint } from '../../src/deploy/ssh/fingerprint.ts';
import { HostKeyError, isHostKeyError, type RefusedHostKey } from '../../src/deploy/ssh/host-key-error.ts';
import { parseKnownHosts } from '../../src/deploy/ssh/parse-known-hosts.ts';
import { generateHostKey } from './_host-keys.ts';

const pinned = generateHostKey('rsa');
const presented = generateHostKey('ed25519');
const file = '/home/op/.ssh/known_hosts';
const knownHosts = parseKnownHosts(
  `web1 ${pinned.publicKey}\n[10.0.0.5]:2222 ${pinned.publicKey}\n@revoked * ${presented.publicKey}\n`,
  { file },
).value;

function refused(host: string, port: number, key: Buffer): RefusedHostKey {
  const check = checkHostKey(knownHosts, host, port, key);
  if (check.status === 'trusted') throw new Error('expected a refusal');
  return check;
}

describe('HostKeyError', () => {
  const other = generateHostKey('ed25519');
  const pinnedPrint = hostKeyFingerprint(pinned.blob);
  const otherPrint = hostKeyFingerprint(other.blob);

  test('unknown names host:port, the presented fingerprint and --accept-new-host-keys', () => {
    const error = new HostKeyError(refused('web2', 22, other.blob));
    expect(error).toMatchObject({
      name: 'HostKeyError',
      code: 'unknown',
      host: 'web2',
      port: 22,
      file,
      presented: { keyType: 'ssh-ed25519', fingerprint: otherPrint },
      expected: [],
    });
    expect(error.message).toBe(
      `host key for web2:22 is unknown: ${file} has no entry for web2; the host presented ssh-ed25519 key ${otherPrint}. ` +
        'Check that fingerprint on the host (ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub), ' +
        'then rerun with --accept-new-host-keys to record it',
    );
  });

  test('changed names host:port, both fingerprints, the old line and how to remove it', () => {
    const error = new HostKeyError(refused('10.0.0.5', 2222, other.blob));
    expect(error.code).toBe('changed');
    expect(error.expected).toEqual([{ keyType: 'ssh-rsa', fingerprint: pinnedPrint, file, line: 2 }]);
    expect(error.message).toBe(
      `HOST KEY CHANGED for 10.0.0.5:2222: the host presented ssh-ed25519 key ${otherPrint}, but ${file} expects ` +
        `ssh-rsa key ${pinnedPrint} (${file}:2). Someone may be intercepting the connection, or the host was ` +
        "reinstalled or rekeyed. Check the host's key on the host itself; if the new key is right, remove the old " +
        `entry (ssh-keygen -R '[10.0.0.5]:2222' -f ${file}) and rerun with --accept-new-host-keys`,
    );
  });

  test('revoked names host:port, the fingerprint and the @revoked line', () => {
    const error = new HostKeyError(refused('web1', 22, presented.blob));
    expect(error.code).toBe('revoked');
    expect(error.expected).toMatchObject([{ line: 3, fingerprint: hostKeyFingerprint(presented.blob) }]);
    expect(error.message).toBe(
      `host key for web1:22 is revoked: the host presented ssh-ed25519 key ${hostKeyFingerprint(presented.blob)}, ` +
        `which ${file}:3 marks @revoked, so it is never accepted. Give the host a new key and record that one`,
    );
  });

  test('an IPv6 host is bracketed in host:port', () => {
    expect(new HostKeyError(refused('::1', 22, other.blob)).message).toMatch(/^host key for \[::1\]:22 is unknown/);
  });

  test('isHostKeyError recognises one from another copy of the SDK, and nothing else', () => {
    const error = new HostKeyError(refused('web2', 22, other.blob), { cause: 'x' });
    expect(isHostKeyError(error)).toBe(true);
    expect(error.cause).toBe('x');
    expect(error).toBeInstanceOf(Error);
    expect(isHostKeyError({ name: 'HostKeyError', code: 'unknown' })).toBe(true);
    expect(isHostKeyError(new Error('host verification failed'))).toBe(false);
    expect(isHostKeyError(null)).toBe(false);
  });
});
