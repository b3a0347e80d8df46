// The wire format of shared/protocol.md, as the UI reads and writes it.
// Pure helpers only: no DOM, no socket.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One message as received; fields are checked before use. */
export interface Message {
  id?: unknown;
  component?: unknown;
  type?: unknown;
  target?: unknown;
  src?: unknown;
  payload?: unknown;
}

/** Thrown by a component when a command cannot be applied; becomes an `error` message. */
export class CommandError extends Error {}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A batch frame made only of grid `setColor` updates, parsed by the socket's
 * worker (see connection.ts) into numbers: per update, four entries of `ops`
 * (index into `targets`, x, y, index into `colors`). It stands for the batch
 * it came from and is applied as those updates would be.
 */
export interface GridColors {
  readonly gridColors: true;
  readonly targets: string[];
  readonly colors: (string | null)[];
  readonly ops: Int32Array;
}

export function isGridColors(value: unknown): value is GridColors {
  // JSON cannot make an Int32Array: a hero cannot pass a frame off as one.
  return isObject(value) && value.gridColors === true && value.ops instanceof Int32Array;
}

/** An instance id as the protocol carries it (a string; numbers are tolerated). */
export function instanceId(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

// Option readers: each names the offending key in its error so the hero's
// on_error callback says what was wrong.

export function num(options: Record<string, unknown>, key: string): number {
  const value = options[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new CommandError(`option '${key}' must be a finite number`);
  }
  return value;
}

export function optNum(options: Record<string, unknown>, key: string, fallback: number): number {
  return options[key] === undefined || options[key] === null ? fallback : num(options, key);
}

export function int(options: Record<string, unknown>, key: string): number {
  const value = num(options, key);
  if (!Number.isInteger(value)) throw new CommandError(`option '${key}' must be an integer`);
  return value;
}

export function str(options: Record<string, unknown>, key: string): string {
  const value = options[key];
  if (typeof value !== "string") throw new CommandError(`option '${key}' must be a string`);
  return value;
}

/** A string option that may be absent or null (returns null then). */
export function optStr(options: Record<string, unknown>, key: string): string | null {
  const value = options[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new CommandError(`option '${key}' must be a string or null`);
  return value;
}

/** Text for display: strings as they are, other primitives converted. */
export function text(options: Record<string, unknown>, key: string): string {
  const value = options[key];
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new CommandError(`option '${key}' must be a string`);
}

export function envelope(
  component: string,
  type: string,
  src: string | undefined,
  payload: JsonObject,
): JsonObject {
  const message: JsonObject = { id: 0, component, type };
  if (src !== undefined) message.src = src;
  message.payload = payload;
  return message;
}
