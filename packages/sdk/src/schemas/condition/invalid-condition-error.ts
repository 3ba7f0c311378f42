/**
 * A health condition that does not parse, e.g. `[BODY.status == ok`. Thrown by
 * {@link parseCondition} (and so by `FleetMonitor` for a target that carries one) before anything
 * is probed. `column` (1-based) points into `condition`, so a fleet file loader can add it to the
 * condition's own position.
 *
 * @example
 * ```ts
 * try {
 *   parseCondition('[STATUS] = 200');
 * } catch (error) {
 *   if (error instanceof InvalidConditionError) console.error(error.message);
 *   // invalid condition "[STATUS] = 200" at column 10: expected an operator (==, !=, <, <=, >, >=)
 * }
 * ```
 */
export class InvalidConditionError extends Error {
  override name = 'InvalidConditionError' as const;
  /** The condition as written. */
  readonly condition: string;
  /** Where in `condition` the problem is, 1-based. */
  readonly column: number;
  /** The problem alone, without the condition: `expected an operator (==, !=, <, <=, >, >=)`. */
  readonly reason: string;

  constructor(condition: string, column: number, reason: string) {
    super(`invalid condition ${JSON.stringify(condition)} at column ${column}: ${reason}`);
    this.condition = condition;
    this.column = column;
    this.reason = reason;
  }
}
