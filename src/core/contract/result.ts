// The outcome of parsing a value that crossed a wire: the typed value, or why it was refused.

/** A parse result: `ok` with the typed value, or the reason in words. */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A parser from an unknown value (msg.payload, a file, a config) to a typed one; never throws. */
export type Parser<T> = (input: unknown) => Result<T>;

/** Thrown inside a parser body by the field checks; turned into a Result by `parser()`. */
export class ContractError extends Error {}

/** Make a parser from a body that may throw ContractError naming the field; other errors are bugs and propagate. */
export function parser<T>(what: string, body: (input: unknown) => T): Parser<T> {
  return (input) => {
    try {
      return { ok: true, value: body(input) };
    } catch (e) {
      if (e instanceof ContractError) return { ok: false, reason: `${what}: ${e.message}` };
      // A stack overflow or an exotic object (a Proxy, a throwing getter) is refused too: a parser never throws.
      return { ok: false, reason: `${what}: unreadable (${(e as Error)?.message ?? String(e)})` };
    }
  };
}

/** The typed value, or throw an Error with the reason (for callers that end in done(err)). */
export function orThrow<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new Error(r.reason);
}
