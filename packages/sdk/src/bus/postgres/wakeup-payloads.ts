/** A notification's payload stays below PostgreSQL's 8000-byte limit. */
export const MAX_PAYLOAD_BYTES = 7900;

/** A message copy one replica stored and tells the others about. */
export interface StoredCopy {
  id: string;
  /** Its recipient. */
  to: string;
}

/** What a notification says: who sent it, and the ids each with its recipient when known. */
export interface WakeupNotice {
  replica: string;
  /** The ids and their recipients; `to` is undefined for an id sent without one (an older replica). */
  copies: Array<{ id: string; to: string | undefined }>;
}

/**
 * Agent names the recipients part can carry (`AgentName`: no `,` nor `=`, ASCII). A copy to any
 * other name (a store used without the schemas) goes without its recipient: every replica with
 * listeners reads it, as before recipients were sent.
 */
const NAMEABLE = /^[A-Za-z0-9._@:-]{1,128}$/;
/** Bytes a group's `,agent=count` takes at most (a payload holds fewer than 1000 ids). */
const groupBytes = (agent: string) => agent.length + 5;

/**
 * Payloads `replica:id,id,...:agent=n,agent=n,...`, each below {@link MAX_PAYLOAD_BYTES}: the ids
 * grouped by recipient, the first `n` ids to the first agent, and so on; ids past the counted
 * ones have no recipient. A replica that only knows `replica:id,...` reads the second part and
 * ignores the third, so mixed versions still wake each other.
 */
export function payloadsOf(replica: string, copies: readonly StoredCopy[]): string[] {
  const groups = new Map<string, string[]>();
  const unnamed: string[] = [];
  for (const { id, to } of copies) {
    if (!NAMEABLE.test(to)) unnamed.push(id);
    else {
      const ids = groups.get(to);
      if (ids) ids.push(id);
      else groups.set(to, [id]);
    }
  }
  const payloads: string[] = [];
  let ids: string[] = [];
  let counts: Array<[string, number]> = [];
  let bytes = 0;
  const flush = () => {
    if (ids.length === 0) return;
    payloads.push(`${replica}:${ids.join(',')}:${counts.map(([agent, n]) => `${agent}=${n}`).join(',')}`);
    ids = [];
    counts = [];
    bytes = 0;
  };
  const fits = (extra: number) => ids.length === 0 || replica.length + 2 + bytes + extra <= MAX_PAYLOAD_BYTES;
  for (const [agent, agentIds] of groups) {
    for (const id of agentIds) {
      const last = counts.at(-1);
      const extra = id.length + 1 + (last?.[0] === agent ? 0 : groupBytes(agent));
      if (!fits(extra)) flush();
      const current = counts.at(-1);
      if (current?.[0] === agent) current[1] += 1;
      else {
        counts.push([agent, 1]);
        bytes += groupBytes(agent);
      }
      ids.push(id);
      bytes += id.length + 1;
    }
  }
  for (const id of unnamed) {
    if (!fits(id.length + 1)) flush();
    ids.push(id);
    bytes += id.length + 1;
  }
  flush();
  return payloads;
}

/** Reads a payload of {@link payloadsOf}, or of an older replica (`replica:id,...`: no recipients). */
export function parsePayload(payload: string): WakeupNotice {
  const first = payload.indexOf(':');
  if (first < 0) return { replica: payload, copies: [] };
  const replica = payload.slice(0, first);
  // Agent names may hold `:`: the recipients are everything after the second one.
  const second = payload.indexOf(':', first + 1);
  const list = payload.slice(first + 1, second < 0 ? undefined : second);
  const ids = list === '' ? [] : list.split(',');
  const copies: WakeupNotice['copies'] = [];
  let next = 0;
  if (second >= 0 && second + 1 < payload.length) {
    for (const group of payload.slice(second + 1).split(',')) {
      const equals = group.lastIndexOf('=');
      const count = Number(group.slice(equals + 1));
      if (equals <= 0 || !Number.isSafeInteger(count) || count < 0) break;
      const agent = group.slice(0, equals);
      for (const id of ids.slice(next, next + count)) copies.push({ id, to: agent });
      next += count;
    }
  }
  for (const id of ids.slice(next)) copies.push({ id, to: undefined });
  return { replica, copies };
}
