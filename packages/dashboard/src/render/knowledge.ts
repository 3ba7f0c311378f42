import type { KnowledgeSync, PeerLag } from '@fleet/sdk';
import { formatDuration } from './internal/format.ts';
import { html, type SafeHtml } from './internal/html.ts';
import { domId, readAt, timeAgo } from './internal/parts.ts';

/**
 * The knowledge section: for every knowledge node, its sync lag towards each peer (facts behind,
 * seconds behind, last successful sync, last error). Peers behind are marked `class="lagging"`,
 * peers whose last sync failed `class="failing"`. A live-update fragment (see {@link clientScript}).
 *
 * @param now The time "… ago" is measured from, in epoch milliseconds.
 * @example
 * renderKnowledge(status.knowledge, Date.parse(status.generatedAt))
 */
export function renderKnowledge(knowledge: readonly KnowledgeSync[], now: number): string {
  const nodes = knowledge.length
    ? knowledge.map((node) => knowledgeNode(node, now))
    : html`<p class="empty">No knowledge node in the fleet file.</p>`;
  return html`<section id="knowledge" class="panel" aria-labelledby="knowledge-title"><h2 id="knowledge-title">Knowledge sync</h2>${nodes}</section>`
    .value;
}

function knowledgeNode(node: KnowledgeSync, now: number): SafeHtml {
  const rows = node.peers.map((peer) => peerRow(peer, now));
  const table = rows.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Peer</th><th scope="col" class="num">Facts behind</th><th scope="col" class="num">Lag</th><th scope="col">Last success</th><th scope="col">Last error</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : node.at
      ? html`<p class="empty">No peers: this node does not sync.</p>`
      : '';
  return html`<div class="node" id="${domId('knowledge', node.target)}" data-target="${node.target}"><h3>${node.target}${node.nodeId ? html` <code class="meta">${node.nodeId}</code>` : ''} ${readAt(node.at, node.error, now)}</h3>${node.error ? html`<p class="error">Could not read the sync status: ${node.error}</p>` : ''}${table}</div>`;
}

function peerRow(peer: PeerLag, now: number): SafeHtml {
  const classes = [peer.lagFacts > 0 ? 'lagging' : '', peer.lastError ? 'failing' : ''].filter(Boolean).join(' ');
  return html`<tr data-peer="${peer.peer}" data-lag-facts="${peer.lagFacts}"${classes ? html` class="${classes}"` : ''}><th scope="row">${peer.peer}</th><td class="num">${peer.lagFacts}</td><td class="num">${peer.lagSeconds === null ? '—' : formatDuration(peer.lagSeconds)}</td><td>${timeAgo(peer.lastSuccessAt, now)}</td><td>${peer.lastError ? html`<span class="error">${peer.lastError}</span>` : html`<span class="muted">—</span>`}</td></tr>`;
}
