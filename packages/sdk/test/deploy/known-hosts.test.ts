import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { checkHostKey } from '../../src/deploy/ssh/check-host-key.ts';
import { hashKnownHostsName } from '../../src/deploy/ssh/hashed-name.ts';
import { hostKeyAlgorithms } from '../../src/deploy/ssh/host-key-algorithms.ts';
import { knownHostsName } from '../../src/deploy/ssh/known-hosts-name.ts';
import { loadKnownHosts } from '../../src/deploy/ssh/load-known-hosts.ts';
import { hostKeyEntries, knownHostKeyTypes } from '../../src/deploy/ssh/match-host.ts';
import { parseKnownHosts } from '../../src/deploy/ssh/parse-known-hosts.ts';
import { generateHostKey, hasSshKeygen, sshKeygen, sshKeygenFind, useTempDir } from './_host-keys.ts';

const ed = generateHostKey('ed25519');
const ed2 = generateHostKey('ed25519');
const rsa = generateHostKey('rsa');
const ecdsa = generateHostKey('ecdsa');

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const linesOf = (file: string, host: string, port = 22) =>
  hostKeyEntries(parseKnownHosts(file).value, host, port).map((entry) => entry.line);

describe('parseKnownHosts', () => {
  test('reads plain lines with several names, [host]:port, comments and blank lines', () => {
    const text = lines(
      '# fleet hosts',
      '',
      `web1,10.0.0.5 ${ed.publicKey}`,
      `   [web2]:2222\t${rsa.publicKey} root@web2  (old)`,
      `\t# indented comment`,
      `Web3 ${ecdsa.publicKey}`,
    );
    const { value, errors, warnings } = parseKnownHosts(text, { file: 'hosts' });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value.file).toBe('hosts');
    expect(
      value.entries.map(({ line, marker, hostsField, hosts, keyType, comment }) => ({
        line,
        marker,
        hostsField,
        hosts,
        keyType,
        comment,
      })),
    ).toEqual([
      {
        line: 3,
        marker: undefined,
        hostsField: 'web1,10.0.0.5',
        hosts: {
          kind: 'patterns',
          patterns: [
            { pattern: 'web1', negated: false },
            { pattern: '10.0.0.5', negated: false },
          ],
        },
        keyType: 'ssh-ed25519',
        comment: '',
      },
      {
        line: 4,
        marker: undefined,
        hostsField: '[web2]:2222',
        hosts: { kind: 'patterns', patterns: [{ pattern: '[web2]:2222', negated: false }] },
        keyType: 'ssh-rsa',
        comment: 'root@web2  (old)',
      },
      {
        line: 6,
        marker: undefined,
        hostsField: 'Web3',
        hosts: { kind: 'patterns', patterns: [{ pattern: 'web3', negated: false }] },
        keyType: 'ecdsa-sha2-nistp256',
        comment: '',
      },
    ]);
    expect(value.entries[1]!.key.equals(rsa.blob)).toBe(true);
  });

  test('reads a file with CRLF line endings and no final newline', () => {
    const { value, errors } = parseKnownHosts(`web1 ${ed.publicKey}\r\nweb2 ${rsa.publicKey}`);
    expect(errors).toEqual([]);
    expect(value.entries.map((entry) => [entry.line, entry.keyType, entry.key.length > 0])).toEqual([
      [1, 'ssh-ed25519', true],
      [2, 'ssh-rsa', true],
    ]);
  });

  test('reports each malformed line with its line and column, skips it, and keeps every good line', () => {
    const [type, base64] = ed.publicKey.split(' ') as [string, string];
    const text = lines(
      `good1 ${ed.publicKey}`,
      'lonely-host',
      `web ${type}`,
      `web ${type} not*base64!`,
      `web ssh-rsa ${base64}`,
      `web ${type} ${Buffer.from('garbage').toString('base64')}`,
      `@trusted web ${ed.publicKey}`,
      `|1|c2FsdA==|dG9vc2hvcnQ= ${ed.publicKey}`,
      `|2|c2FsdA==|dG9vc2hvcnQ= ${ed.publicKey}`,
      'web 2048 65537 1234567',
      `,,! ${ed.publicKey}`,
      `good2 ${rsa.publicKey}`,
    );
    const { value, errors, warnings } = parseKnownHosts(text, { file: 'kh' });
    expect(value.entries.map((entry) => [entry.line, entry.hostsField])).toEqual([
      [1, 'good1'],
      [12, 'good2'],
    ]);
    expect(warnings).toEqual([]);
    expect(errors.map(({ line, column, message }) => `${line}:${column} ${message}`)).toEqual([
      '2:1 expected host names, a key type and a base64 key',
      '3:1 expected host names, a key type and a base64 key',
      '4:17 the key is not valid base64',
      '5:13 the key is a ssh-ed25519 key, but the line says ssh-rsa',
      '6:17 the key does not start with a key type, but the line says ssh-ed25519',
      '7:1 unknown marker @trusted (expected @revoked or @cert-authority)',
      '8:1 the hash of a hashed host is not a base64 SHA-1 digest',
      '9:1 a hashed host must start with |1|',
      '10:5 SSH-1 RSA keys (bits, exponent, modulus) are not supported',
      '11:1 no host names',
    ]);
    expect(errors.every((error) => error.file === 'kh' && error.severity === 'error')).toBe(true);
    // The good lines still answer.
    expect(checkHostKey(value, 'good2', 22, rsa.blob).status).toBe('trusted');
  });

  test('parses @cert-authority lines and reports them as unsupported warnings', () => {
    const { value, errors, warnings } = parseKnownHosts(lines(`@cert-authority *.example.com ${ed.publicKey}`));
    expect(errors).toEqual([]);
    expect(value.entries.map((entry) => [entry.marker, entry.hostsField, entry.keyType])).toEqual([
      ['cert-authority', '*.example.com', 'ssh-ed25519'],
    ]);
    expect(warnings).toEqual([
      {
        file: 'known_hosts',
        line: 1,
        column: 1,
        message:
          '@cert-authority is not supported: host certificates are not checked, and this CA key is never trusted as a host key',
        severity: 'warning',
      },
    ]);
  });

  test('parses @revoked lines', () => {
    const { value, errors } = parseKnownHosts(lines(`@revoked * ${rsa.publicKey}`));
    expect(errors).toEqual([]);
    expect(value.entries.map((entry) => [entry.marker, entry.keyType])).toEqual([['revoked', 'ssh-rsa']]);
  });
});

describe('loadKnownHosts', () => {
  const dir = useTempDir();

  test('a missing file knows no host and is no error', async () => {
    const result = await loadKnownHosts(`${dir.path}/missing`);
    expect(result).toEqual({ value: { file: `${dir.path}/missing`, entries: [] }, errors: [], warnings: [] });
  });

  test('an unreadable file is one error at line 1, not an exception', async () => {
    const result = await loadKnownHosts(dir.path);
    expect(result.value.entries).toEqual([]);
    expect(result.errors).toMatchObject([{ file: dir.path, line: 1, column: 1, severity: 'error' }]);
    expect(result.errors[0]!.message).toMatch(/^cannot read the known_hosts file: EISDIR/);
  });

  test('reads a file and names it in its entries and problems', async () => {
    const file = await dir.write('known_hosts', lines(`web1 ${ed.publicKey}`, 'broken'));
    const result = await loadKnownHosts(file);
    expect(result.value.file).toBe(file);
    expect(result.value.entries).toHaveLength(1);
    expect(result.errors).toMatchObject([{ file, line: 2 }]);
  });
});

describe.skipIf(!hasSshKeygen)('host matching, cross-checked with ssh-keygen -F', () => {
  const dir = useTempDir();

  /** Asserts that our lookup finds exactly the plain lines ssh-keygen -F finds, for each host. */
  async function expectSameLines(text: string, hosts: Array<[host: string, port: number]>) {
    const file = await dir.write('known_hosts', text);
    const knownHosts = parseKnownHosts(await readFile(file, 'utf8')).value;
    for (const [host, port] of hosts) {
      const ours = hostKeyEntries(knownHosts, host, port).map((entry) => entry.line);
      expect({ host, port, lines: ours }).toEqual({
        host,
        port,
        lines: sshKeygenFind(file, knownHostsName(host, port)).plain,
      });
    }
  }

  test('plain names, several names per line and [host]:port find the lines ssh-keygen finds', async () => {
    const text = lines(
      `web1,10.0.0.5 ${ed.publicKey}`,
      `[web1]:2222 ${rsa.publicKey}`,
      `web2,[10.0.0.6]:2200 ${ecdsa.publicKey}`,
      `web1 ${rsa.publicKey}`,
      `[::1]:2222,::1 ${ed2.publicKey}`,
    );
    await expectSameLines(text, [
      ['web1', 22],
      ['10.0.0.5', 22],
      ['web1', 2222],
      ['10.0.0.5', 2222],
      ['web2', 22],
      ['web2', 2200],
      ['10.0.0.6', 2200],
      ['10.0.0.6', 22],
      ['::1', 2222],
      ['::1', 22],
      ['web3', 22],
    ]);
    expect(linesOf(text, 'web1')).toEqual([1, 4]);
    expect(linesOf(text, 'WEB1')).toEqual([1, 4]);
    expect(linesOf(text, '[::1]', 2222)).toEqual([5]);
  });

  test('hashed lines written by ssh-keygen -H match the hosts their names hashed', async () => {
    const file = await dir.write(
      'known_hosts',
      lines(
        `web1,10.0.0.5 ${ed.publicKey}`,
        `[web1]:2222 ${rsa.publicKey}`,
        `Web3 ${ecdsa.publicKey}`,
        `[::1]:2222 ${ed2.publicKey}`,
      ),
    );
    sshKeygen('-H', '-f', file);
    const text = await readFile(file, 'utf8');
    const { value, errors } = parseKnownHosts(text);
    expect(errors).toEqual([]);
    // ssh-keygen -H writes one hashed line per name.
    expect(value.entries.map((entry) => entry.hosts.kind)).toEqual(['hashed', 'hashed', 'hashed', 'hashed', 'hashed']);
    expect(text).not.toMatch(/web|10\.0\.0/);
    const hosts: Array<[string, number]> = [
      ['web1', 22],
      ['10.0.0.5', 22],
      ['web1', 2222],
      ['web3', 22],
      ['::1', 2222],
      ['::1', 22],
      ['web2', 22],
    ];
    for (const [host, port] of hosts) {
      expect(hostKeyEntries(value, host, port).map((entry) => entry.line)).toEqual(
        sshKeygenFind(file, knownHostsName(host, port)).plain,
      );
    }
    expect(checkHostKey(value, 'web1', 2222, rsa.blob).status).toBe('trusted');
    expect(checkHostKey(value, 'Web3', 22, ecdsa.blob).status).toBe('trusted');
  });

  test('our hashed names are found by ssh-keygen -F', async () => {
    const text = lines(
      `${hashKnownHostsName(knownHostsName('web1', 22))} ${ed.publicKey}`,
      `${hashKnownHostsName(knownHostsName('web1', 2222))} ${rsa.publicKey}`,
    );
    await expectSameLines(text, [
      ['web1', 22],
      ['web1', 2222],
      ['web2', 22],
    ]);
    expect(linesOf(text, 'web1', 2222)).toEqual([2]);
  });

  test('wildcards and negation match what OpenSSH matches, the port being part of the name', async () => {
    const text = lines(
      `*.example.com,!bad.example.com ${ed.publicKey}`,
      `[*.example.com]:2222 ${rsa.publicKey}`,
      `web?,!web9 ${ecdsa.publicKey}`,
      `10.0.0.* ${ed2.publicKey}`,
      `!web1 ${ed.publicKey}`,
      `* ${ed2.publicKey}`,
    );
    await expectSameLines(text, [
      ['a.example.com', 22],
      ['A.Example.COM', 22],
      ['bad.example.com', 22],
      ['a.example.com', 2222],
      ['a.example.com', 2200],
      ['example.com', 22],
      ['web1', 22],
      ['web9', 22],
      ['web10', 22],
      ['web1', 2222],
      ['10.0.0.7', 22],
      ['10.0.0.7', 2222],
      ['other', 22],
    ]);
    // Spelled out, for the reader: `*` also covers other ports, `*.example.com` does not.
    expect(linesOf(text, 'a.example.com')).toEqual([1, 6]);
    expect(linesOf(text, 'bad.example.com')).toEqual([6]);
    expect(linesOf(text, 'a.example.com', 2222)).toEqual([2, 6]);
    expect(linesOf(text, 'web9')).toEqual([6]);
  });

  test('@revoked and @cert-authority lines are never host keys of a host', async () => {
    const text = lines(
      `@revoked web1 ${rsa.publicKey}`,
      `@cert-authority web1 ${ed.publicKey}`,
      `web1 ${ed2.publicKey}`,
    );
    const file = await dir.write('known_hosts', text);
    expect(sshKeygenFind(file, 'web1')).toEqual({ plain: [3], revoked: [1], ca: [2] });
    expect(linesOf(text, 'web1')).toEqual([3]);
  });
});

describe('checkHostKey', () => {
  const knownHosts = parseKnownHosts(
    lines(
      `web1,10.0.0.5 ${ed.publicKey}`,
      `web1 ${ecdsa.publicKey}`,
      `[web1]:2222 ${rsa.publicKey}`,
      `rsa-only ${rsa.publicKey}`,
      `@revoked other-host ${ed2.publicKey}`,
      `@cert-authority *.example.com ${ed.publicKey}`,
    ),
    { file: '/home/op/.ssh/known_hosts' },
  ).value;

  test('a key held for the host and port is trusted, with the line that holds it', () => {
    expect(checkHostKey(knownHosts, 'web1', 22, ed.blob)).toMatchObject({
      status: 'trusted',
      host: 'web1',
      port: 22,
      name: 'web1',
      presented: { keyType: 'ssh-ed25519' },
      matched: { keyType: 'ssh-ed25519', file: '/home/op/.ssh/known_hosts', line: 1 },
    });
    expect(checkHostKey(knownHosts, 'web1', 22, ecdsa.blob)).toMatchObject({ status: 'trusted', matched: { line: 2 } });
    expect(checkHostKey(knownHosts, '10.0.0.5', 22, ed.blob).status).toBe('trusted');
    expect(checkHostKey(knownHosts, 'web1', 2222, rsa.blob)).toMatchObject({
      status: 'trusted',
      name: '[web1]:2222',
      matched: { line: 3 },
    });
  });

  test('a host with no line is unknown, also a known host on another port', () => {
    expect(checkHostKey(knownHosts, 'web2', 22, ed.blob)).toMatchObject({ status: 'unknown', name: 'web2' });
    expect(checkHostKey(knownHosts, '10.0.0.5', 2222, ed.blob)).toMatchObject({
      status: 'unknown',
      name: '[10.0.0.5]:2222',
    });
  });

  test('a host whose lines hold other keys is changed, with every expected fingerprint and the presented one', () => {
    const check = checkHostKey(knownHosts, 'web1', 2222, ed.blob);
    expect(check).toEqual({
      status: 'changed',
      host: 'web1',
      port: 2222,
      name: '[web1]:2222',
      file: '/home/op/.ssh/known_hosts',
      presented: { keyType: 'ssh-ed25519', fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/) },
      expected: [
        {
          keyType: 'ssh-rsa',
          fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
          file: '/home/op/.ssh/known_hosts',
          line: 3,
        },
      ],
    });
    const fresh = generateHostKey('ed25519');
    expect(checkHostKey(knownHosts, 'web1', 22, fresh.blob)).toMatchObject({
      status: 'changed',
      expected: [
        { keyType: 'ssh-ed25519', line: 1 },
        { keyType: 'ecdsa-sha2-nistp256', line: 2 },
      ],
    });
  });

  test('a key of another type than every pinned key is changed, not unknown', () => {
    expect(checkHostKey(knownHosts, 'rsa-only', 22, ed.blob)).toMatchObject({
      status: 'changed',
      presented: { keyType: 'ssh-ed25519' },
      expected: [{ keyType: 'ssh-rsa', line: 4 }],
    });
    expect(checkHostKey(knownHosts, 'rsa-only', 22, rsa.blob).status).toBe('trusted');
  });

  test('a key @revoked on any line is revoked for every host, even one that trusts it', () => {
    const withTrust = parseKnownHosts(lines(`web1 ${ed2.publicKey}`, `@revoked elsewhere ${ed2.publicKey}`)).value;
    expect(checkHostKey(withTrust, 'web1', 22, ed2.blob)).toMatchObject({
      status: 'revoked',
      presented: { keyType: 'ssh-ed25519' },
      revokedBy: { line: 2 },
    });
    expect(checkHostKey(knownHosts, 'unknown-host', 22, ed2.blob).status).toBe('revoked');
  });

  test('@cert-authority lines never trust a plain host key', () => {
    expect(checkHostKey(knownHosts, 'a.example.com', 22, ed.blob).status).toBe('unknown');
  });

  test('knownHostKeyTypes lists the pinned types, and hostKeyAlgorithms asks for them before the others', () => {
    expect(knownHostKeyTypes(knownHosts, 'web1', 22)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    expect(knownHostKeyTypes(knownHosts, 'rsa-only', 22)).toEqual(['ssh-rsa']);
    expect(knownHostKeyTypes(knownHosts, 'a.example.com', 22)).toEqual([]);
    expect(knownHostKeyTypes(knownHosts, 'other-host', 22)).toEqual([]);
    const ssh2Default = [
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ];
    expect(hostKeyAlgorithms([])).toEqual(ssh2Default);
    expect(hostKeyAlgorithms(['ssh-ed25519'])).toEqual(ssh2Default);
    expect(hostKeyAlgorithms(['sk-ssh-ed25519@openssh.com'])).toEqual(ssh2Default);
    expect(hostKeyAlgorithms(['ssh-rsa'])).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
    ]);
    expect(hostKeyAlgorithms(['ssh-rsa', 'ecdsa-sha2-nistp256'])).toEqual([
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
    ]);
    expect(hostKeyAlgorithms(['ssh-dss'])).toEqual(['ssh-dss', ...ssh2Default]);
  });
});
