import { z } from 'zod';
import { FleetReport } from '../report/fleet-report.ts';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { alertMessageFields } from './alert-message-fields.ts';

export { AlertKind, AlertSeverity } from './alert-message-fields.ts';

/**
 * One alert as every channel receives it: the engine writes the title and text once, and each
 * channel renders them in its own format. The generic webhook channel posts this object as JSON.
 * @example
 * {
 *   id: '01JBZ3K6V8Q2', kind: 'down', severity: 'critical',
 *   title: '[fleet] bus is DOWN on vps1',
 *   text: 'Target: bus\nHost: vps1\nSince: 2026-12-05T15:58:00Z\nReason: connection refused',
 *   targets: ['bus'], host: 'vps1', at: '2026-12-05T16:00:00.000Z',
 * }
 */
export const AlertMessage = z.object(
  lazyShape(() => ({
    ...alertMessageFields(),
    /** Kind `report`: the fleet report itself, for receivers that read it as data (the webhook channel). */
    report: described(FleetReport.optional(), 'Kind `report`: the fleet report the text renders'),
  })),
);
export type AlertMessage = z.infer<typeof AlertMessage>;
