/**
 * A host-key algorithm ssh2 1.17 can negotiate (its `algorithms.serverHostKey` values). Spelled
 * out here, not imported, so that the SDK's types do not need `@types/ssh2`.
 */
export type ServerHostKeyAlgorithm =
  | 'ssh-ed25519'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'rsa-sha2-512'
  | 'rsa-sha2-256'
  | 'ssh-rsa'
  | 'ssh-dss';

/**
 * The algorithms that verify each key type `known_hosts` records, in ssh2's order of preference.
 * An RSA key (`ssh-rsa`) signs with any of three.
 */
const ALGORITHMS_BY_KEY_TYPE: ReadonlyArray<readonly [keyType: string, algorithms: readonly ServerHostKeyAlgorithm[]]> =
  [
    ['ssh-ed25519', ['ssh-ed25519']],
    ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
    ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
    ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
    ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
    ['ssh-dss', ['ssh-dss']],
  ];

/** ssh2's own offer when `algorithms.serverHostKey` is not set (ssh-dss is supported but not offered). */
const SSH2_DEFAULT: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * The ssh2 `algorithms.serverHostKey` list for a host: first the algorithms that ask for the key
 * types `known_hosts` pins for it (from {@link knownHostKeyTypes}), in ssh2's order of preference,
 * then ssh2's other default algorithms. A host pinned by its RSA key that also holds an ed25519 key
 * then presents the RSA key (ssh2 alone would ask for ed25519 first and see a false "changed"
 * key), while a host that no longer holds any pinned type still presents a key, which the verifier
 * refuses as changed with both fingerprints, instead of a bare "no matching host key format" from
 * the handshake. Pinned types ssh2 cannot verify (security-key, certificate types) add nothing.
 *
 * As OpenSSH does, this orders the offer by what is known; it does not restrict it, because the
 * verifier already refuses every key the file does not hold.
 *
 * @example
 * ```ts
 * const serverHostKey = hostKeyAlgorithms(knownHostKeyTypes(knownHosts, host, port));
 * // an RSA pin: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', ...]
 * client.connect({ host, port, hostVerifier, algorithms: { serverHostKey } });
 * ```
 */
export function hostKeyAlgorithms(keyTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const pinned = ALGORITHMS_BY_KEY_TYPE.filter(([keyType]) => keyTypes.includes(keyType)).flatMap(
    ([, algorithms]) => algorithms,
  );
  return [...pinned, ...SSH2_DEFAULT.filter((algorithm) => !pinned.includes(algorithm))];
}
