/**
 * A seeded mutator for request bodies: starting from a valid body, it swaps values for odd ones
 * (null, wrong types, NUL characters, unpaired surrogates, huge or deeply nested values), drops and
 * adds keys, and damages the serialized bytes (truncation, stray bytes, invalid UTF-8). The same
 * seed gives the same sequence, so a failure can be replayed.
 */

import { pick, type Random } from './random.ts';

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { v: value };
  return value;
}

/** Values that have broken parsers, validators and databases before. */
export function oddValue(random: Random): unknown {
  return pick<() => unknown>(random, [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1e308,
    () => 2 ** 53 + 1,
    () => 0.5,
    () => '',
    () => ' ',
    () => '\u0000',
    () => `a\u0000b`,
    () => '\ud800',
    () => 'x\udfffy',
    () => '🧾 Ünïcødé ‮',
    () => '<script>alert(1)</script>',
    () => "'; drop table accounts; --",
    () => 'x'.repeat(5_000),
    () => '42',
    () => '2026-02-30',
    () => 'U0REP0001',
    () => [],
    () => [null],
    () => {},
    () => ({ id: null }),
    () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
    () => nested(200),
    () => Array.from({ length: 300 }, (_, i) => i),
  ])();
}

type Container = Record<string, unknown> | unknown[];

/** Sets an own property, even `__proto__` (as JSON.parse would make it). */
function put(place: Container, key: string, value: unknown): void {
  Object.defineProperty(place, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every object or array inside `value`, with the keys it holds. */
function containers(value: unknown, found: Container[] = [], depth = 0): Container[] {
  if (depth > 12 || typeof value !== 'object' || value === null) return found;
  found.push(value as Container);
  for (const child of Object.values(value)) containers(child, found, depth + 1);
  return found;
}

/** One structural change to a JSON value (a deep copy; the seed is left alone). */
export function mutateJson(value: unknown, random: Random): unknown {
  const copy = structuredClone(value);
  const places = containers(copy);
  if (places.length === 0 || random() < 0.05) return oddValue(random);
  const place = pick(random, places);
  const keys = Object.keys(place);
  const key = keys.length > 0 ? pick(random, keys) : undefined;
  const roll = random();
  if (key === undefined || roll < 0.55) {
    put(place, key ?? 'extra', oddValue(random));
  } else if (roll < 0.75) {
    if (Array.isArray(place)) place.splice(Number(key), 1);
    else delete place[key];
  } else if (roll < 0.9) {
    put(place, pick(random, ['team', 'user', 'view', 'state', 'type', '__proto__', 'x']), oddValue(random));
  } else {
    const inner = (place as Record<string, unknown>)[key];
    put(place, key, Array.isArray(inner) ? { ...inner } : [inner]);
  }
  return copy;
}

/** Damage to the serialized bytes themselves. */
export function mutateBytes(raw: Buffer, random: Random): Buffer {
  const at = Math.floor(random() * (raw.length + 1));
  const roll = random();
  if (roll < 0.3) return raw.subarray(0, at);
  if (roll < 0.6) {
    const stray = Buffer.from([pick(random, [0x00, 0xff, 0xc3, 0xed, 0x80, 0x22, 0x7b, 0x25, 0x26, 0x3d])]);
    return Buffer.concat([raw.subarray(0, at), stray, raw.subarray(at)]);
  }
  if (roll < 0.8) return Buffer.concat([raw, raw.subarray(0, at)]);
  return Buffer.from(raw.toString('latin1').replace(/[aeiou]/g, 'é'), 'latin1');
}
