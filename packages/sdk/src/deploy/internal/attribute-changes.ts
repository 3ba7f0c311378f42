import type { ExistingPath, PathAttributes } from '../executor.ts';
import type { StepChange } from '../step-result.ts';
import { formatMode } from './file-mode.ts';

function sameAccount(wanted: string | number, id: number, name: string | undefined): boolean {
  return typeof wanted === 'number' ? wanted === id : wanted === name;
}

function shown(id: number, name: string | undefined): string {
  return name ?? String(id);
}

/** The attributes of `found` that differ from `wanted`, as changes and as what to set. */
export function attributeChanges(
  found: ExistingPath,
  wanted: PathAttributes,
): { changes: StepChange[]; toSet: PathAttributes } {
  const changes: StepChange[] = [];
  const toSet: PathAttributes = {};
  const target = found.path;
  if (wanted.owner !== undefined && !sameAccount(wanted.owner, found.uid, found.owner)) {
    changes.push({
      action: 'update',
      target,
      attribute: 'owner',
      summary: `owner ${shown(found.uid, found.owner)} -> ${wanted.owner}`,
    });
    toSet.owner = wanted.owner;
  }
  if (wanted.group !== undefined && !sameAccount(wanted.group, found.gid, found.group)) {
    changes.push({
      action: 'update',
      target,
      attribute: 'group',
      summary: `group ${shown(found.gid, found.group)} -> ${wanted.group}`,
    });
    toSet.group = wanted.group;
  }
  if (wanted.mode !== undefined && wanted.mode !== found.mode) {
    changes.push({
      action: 'update',
      target,
      attribute: 'mode',
      summary: `mode ${formatMode(found.mode)} -> ${formatMode(wanted.mode)}`,
    });
    toSet.mode = wanted.mode;
  }
  return { changes, toSet };
}

/** How new attributes read in a `create` change: ` (owner app, mode 0640)`, or `''`. */
export function describeAttributes(attributes: PathAttributes): string {
  const parts: string[] = [];
  if (attributes.owner !== undefined) parts.push(`owner ${attributes.owner}`);
  if (attributes.group !== undefined) parts.push(`group ${attributes.group}`);
  if (attributes.mode !== undefined) parts.push(`mode ${formatMode(attributes.mode)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** `attributes` without its undefined fields (exactOptionalPropertyTypes). */
export function definedAttributes(attributes: {
  owner?: string | number | undefined;
  group?: string | number | undefined;
  mode?: number | undefined;
}): PathAttributes {
  const result: PathAttributes = {};
  if (attributes.owner !== undefined) result.owner = attributes.owner;
  if (attributes.group !== undefined) result.group = attributes.group;
  if (attributes.mode !== undefined) result.mode = attributes.mode;
  return result;
}
