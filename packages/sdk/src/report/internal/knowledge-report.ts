import { describeError } from '../../monitor/readers/describe-error.ts';
import type { ReportKnowledge } from '../fleet-report.ts';
import type { ReportKnowledgeSource } from '../report-sources.ts';

/** A knowledge node's part of the report: its sync status now, towards each peer. */
export async function knowledgeReport(source: ReportKnowledgeSource, signal?: AbortSignal): Promise<ReportKnowledge> {
  try {
    const status = await source.client.syncStatus(signal ? { signal } : undefined);
    return {
      target: source.target,
      error: null,
      nodeId: status.nodeId,
      conflictsLost: status.conflictsLost,
      peers: status.peers.map((peer) => ({
        peer: peer.peer,
        lagFacts: peer.lagFacts,
        lagSeconds: peer.lagSeconds,
        lastSuccessAt: peer.lastSuccessAt,
        lastError: peer.lastError,
        conflictsLost: peer.conflictsLost,
      })),
    };
  } catch (error) {
    return { target: source.target, error: describeError(error), nodeId: null, conflictsLost: 0, peers: [] };
  }
}
