// Kept outside server/ (which loads h3): the demo agent, in the client entry, throws it too.
/**
 * A Fleet server could not start listening: an unsafe bind without tokens, a port in use, or a
 * server that is already listening or closed. The message says what to change.
 */
export class FleetServerStartError extends Error {
  override name = 'FleetServerStartError' as const;
}
