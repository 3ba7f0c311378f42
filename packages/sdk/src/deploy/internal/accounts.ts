import { readFileSync } from 'node:fs';
import { DeployError } from '../errors.ts';

interface Account {
  name: string;
  id: number;
  gid?: number;
}

function readTable(file: string, idColumn: number): Account[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const accounts: Account[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const name = fields[0];
    const id = Number(fields[idColumn]);
    if (!name || name.startsWith('#') || !Number.isInteger(id)) continue;
    const gid = Number(fields[3]);
    accounts.push(Number.isInteger(gid) && file.endsWith('passwd') ? { name, id, gid } : { name, id });
  }
  return accounts;
}

/**
 * The local host's users and groups, read from /etc/passwd and /etc/group by each instance (a step
 * may have just added one) on its first name lookup; numeric ids never read them. Ids are the
 * kernel's, so this is the real host's table even when an executor is rooted in a temp directory.
 */
export class LocalAccounts {
  #userTable: Account[] | undefined;
  #groupTable: Account[] | undefined;

  get #users(): Account[] {
    this.#userTable ??= readTable('/etc/passwd', 2);
    return this.#userTable;
  }

  get #groups(): Account[] {
    this.#groupTable ??= readTable('/etc/group', 2);
    return this.#groupTable;
  }

  userName(uid: number): string | undefined {
    return this.#users.find((user) => user.id === uid)?.name;
  }

  groupName(gid: number): string | undefined {
    return this.#groups.find((group) => group.id === gid)?.name;
  }

  /** A user's uid and primary gid. */
  user(user: string | number): { uid: number; gid: number | undefined } {
    if (typeof user === 'number') return { uid: user, gid: undefined };
    const found = this.#users.find((entry) => entry.name === user);
    if (found === undefined) throw new DeployError('unknown_account', `Unknown user "${user}" on this host`);
    return { uid: found.id, gid: found.gid };
  }

  gid(group: string | number): number {
    if (typeof group === 'number') return group;
    const found = this.#groups.find((entry) => entry.name === group);
    if (found === undefined) throw new DeployError('unknown_account', `Unknown group "${group}" on this host`);
    return found.id;
  }
}
