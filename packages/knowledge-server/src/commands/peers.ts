import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';

const listCommand = defineCommand({
  meta: { name: 'list', description: 'List sync peers' },
  plugins: [strictArgs],
  args: { ...clientArgs },
  async run({ args }) {
    const list = await knowledgeClientFrom(args).peers();
    if (args.json) return printJson(list);
    if (list.count === 0) return output.log('no peers');
    for (const peer of list.peers) output.log(`${peer.id}  ${peer.url}${peer.hasToken ? '  (token)' : ''}`);
  },
});

const addCommand = defineCommand({
  meta: { name: 'add', description: 'Register (or update) a sync peer' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    id: { type: 'positional', description: "The peer's node id", required: true, valueHint: 'ID' },
    peerUrl: { type: 'positional', description: "The peer's base URL", required: true, valueHint: 'URL' },
    'peer-token': {
      type: 'string',
      description: 'Bearer token to present to the peer (default: $FLEET_KNOWLEDGE_PEER_TOKEN)',
      valueHint: 'token',
    },
  },
  async run({ args }) {
    // The variable keeps the token out of `ps` and shell history; an empty one means none.
    const token = args['peer-token'] || process.env.FLEET_KNOWLEDGE_PEER_TOKEN || undefined;
    const peer = await knowledgeClientFrom(args).addPeer({
      id: args.id,
      url: args.peerUrl,
      ...(token !== undefined ? { token } : {}),
    });
    if (args.json) return printJson(peer);
    output.log(`added ${peer.id}  ${peer.url}`);
  },
});

const removeCommand = defineCommand({
  meta: { name: 'remove', description: 'Remove a sync peer' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    id: { type: 'positional', description: "The peer's node id", required: true, valueHint: 'ID' },
  },
  async run({ args }) {
    const result = await knowledgeClientFrom(args).removePeer(args.id);
    if (args.json) return printJson(result);
    output.log(result.removed ? `removed ${args.id}` : `no peer ${args.id}`);
  },
});

/** `fleet-knowledge peers list|add|remove`: the node's sync peers. */
export const peersCommand = defineCommand({
  meta: { name: 'peers', description: 'List, add or remove sync peers' },
  subCommands: { list: listCommand, add: addCommand, remove: removeCommand },
});
