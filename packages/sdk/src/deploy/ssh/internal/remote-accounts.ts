import { DeployError } from '../../errors.ts';
import type { PathAttributes } from '../../executor.ts';
import { shellQuote } from '../../internal/shell-quote.ts';

/** Numeric owner and group, as SFTP sets them. */
export interface AccountIds {
  uid?: number;
  gid?: number;
}

/**
 * A host's user and group ids by name, looked up with one command and remembered for the
 * connection. Only names found are remembered: a step may create a missing one later.
 */
export class RemoteAccounts {
  readonly #host: string;
  readonly #run: (line: string) => Promise<string>;
  readonly #users = new Map<string, number>();
  readonly #groups = new Map<string, number>();

  /** @param run Runs a command line on the host and returns its standard output. */
  constructor(host: string, run: (line: string) => Promise<string>) {
    this.#host = host;
    this.#run = run;
  }

  /** The ids of `attributes.owner` and `.group`; names the host does not know are an `unknown_account` error. */
  async ids(attributes: PathAttributes): Promise<AccountIds> {
    const { owner, group } = attributes;
    const user = typeof owner === 'string' && !this.#users.has(owner) ? owner : undefined;
    const groupName = typeof group === 'string' && !this.#groups.has(group) ? group : undefined;
    if (user !== undefined || groupName !== undefined) {
      const lookups = [
        user === undefined ? 'echo' : `id -u ${shellQuote(user)} 2>/dev/null || echo`,
        groupName === undefined ? 'echo' : `(getent group ${shellQuote(groupName)} || echo) | cut -d: -f3`,
      ];
      const [uid = '', gid = ''] = (await this.#run(lookups.join('; '))).split('\n');
      if (user !== undefined) this.#remember(this.#users, 'user', user, uid);
      if (groupName !== undefined) this.#remember(this.#groups, 'group', groupName, gid);
    }
    const ids: AccountIds = {};
    if (owner !== undefined) ids.uid = typeof owner === 'number' ? owner : this.#users.get(owner)!;
    if (group !== undefined) ids.gid = typeof group === 'number' ? group : this.#groups.get(group)!;
    return ids;
  }

  #remember(table: Map<string, number>, kind: string, name: string, id: string): void {
    if (!/^\d+$/.test(id.trim())) {
      throw new DeployError('unknown_account', `Unknown ${kind} "${name}" on ${this.#host}`);
    }
    table.set(name, Number(id.trim()));
  }
}
