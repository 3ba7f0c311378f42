import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hostKeyFingerprint } from '../../src/deploy/ssh/fingerprint.ts';
import { keyBlobType } from '../../src/deploy/ssh/key-blob.ts';
import { parseKnownHosts } from '../../src/deploy/ssh/parse-known-hosts.ts';
import { generateHostKey, hasSshKeygen, sshKeygen, useTempDir } from './_host-keys.ts';

const keys = [generateHostKey('ed25519'), generateHostKey('rsa'), generateHostKey('ecdsa')];

describe.skipIf(!hasSshKeygen)('hostKeyFingerprint, cross-checked with ssh-keygen -l -E sha256', () => {
  const dir = useTempDir();

  test.each(keys.map((key) => [key.type, key] as const))(
    'a raw %s key blob prints as OpenSSH prints it',
    async (_, key) => {
      const file = join(dir.path, 'key.pub');
      await writeFile(file, `${key.publicKey} test\n`);
      const [, printed] = sshKeygen('-l', '-E', 'sha256', '-f', file).split(' ');
      expect(hostKeyFingerprint(key.blob)).toBe(printed);
      expect(printed).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    },
  );

  test('every key of a known_hosts file prints as ssh-keygen -l prints it', async () => {
    const text = keys.map((key, index) => `host${index} ${key.publicKey}\n`).join('');
    const file = await dir.write('known_hosts', text);
    const printed = sshKeygen('-l', '-E', 'sha256', '-f', file)
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[1]);
    const { value } = parseKnownHosts(text);
    expect(value.entries.map((entry) => hostKeyFingerprint(entry))).toEqual(printed);
    expect(value.entries.map((entry) => hostKeyFingerprint(entry.key))).toEqual(printed);
  });
});

describe('keyBlobType', () => {
  test('reads the type a key blob names', () => {
    expect(keys.map((key) => keyBlobType(key.blob))).toEqual(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
    expect(keyBlobType(keys[0]!.blob.subarray(2))).toBeUndefined();
  });

  test('is undefined for a blob too short or naming no printable type', () => {
    expect(keyBlobType(Buffer.alloc(0))).toBeUndefined();
    expect(keyBlobType(Buffer.from([0, 0, 0, 9, 0x73]))).toBeUndefined();
    expect(keyBlobType(Buffer.from([0, 0, 0, 2, 0x20, 0x41]))).toBeUndefined();
    expect(keyBlobType(Buffer.from([0, 0, 0, 0]))).toBeUndefined();
  });
});
