/**
 * `@fleet/sdk/server`: the HTTP plumbing every Fleet server shares (h3).
 */
export {};
