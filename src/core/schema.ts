// JSON Schema handling for tool parameters: one shared ajv instance, a compile cache keyed by the schema's text
// (a 100k-row dataset with per-row tools compiles each distinct schema once), BFCL's non-standard types mapped to
// JSON Schema, and ajv errors rewritten as one readable sentence each.
//
//   const v = compileSchema(parameters);   // { ok: true, validate } | { ok: false, error }
//   v.ok && v.validate(args) ? … : describeAjvErrors(v.validate.errors)
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { PathSegment } from './source-location';

// strict: false — real tool schemas carry non-standard keywords (BFCL's "optional", OpenAPI's "example"); ajv's
// strict mode would reject them. Anything ajv cannot compile still fails, with its own message.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);

const cache = new Map<string, CompiledSchema>();

export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

/** Compile a parameters schema once; the same schema text returns the cached validator. */
export function compileSchema(schema: unknown): CompiledSchema {
  const key = JSON.stringify(schema);
  let hit = cache.get(key);
  if (!hit) {
    try {
      hit = { ok: true, validate: ajv.compile(schema as object) };
    } catch (e) {
      hit = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    // Unbounded growth would only come from a stream of distinct schemas; cap it so memory stays flat.
    if (cache.size > 5000) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

/** One sentence per ajv error, e.g. "argument /unit must be one of: celsius, fahrenheit". */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined, what = 'argument'): string[] {
  if (!errors?.length) return [];
  const out: string[] = [];
  for (const e of errors) {
    const at = e.instancePath || '';
    const p = e.params as Record<string, unknown>;
    let msg: string;
    switch (e.keyword) {
      case 'required': msg = `missing required ${what} ${at}/${String(p.missingProperty)}`; break;
      case 'enum': msg = `${what} ${at} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`; break;
      case 'type': msg = `${what} ${at || '(root)'} must be ${String(p.type)}`; break;
      case 'additionalProperties': msg = `unknown ${what} ${at}/${String(p.additionalProperty)}`; break;
      default: msg = `${what} ${at || '(root)'} ${e.message ?? 'is invalid'}`;
    }
    if (!out.includes(msg)) out.push(msg);
  }
  return out;
}

// ---- BFCL types ---------------------------------------------------------------------------------------------
// BFCL's function docs use Python-flavoured types that are not JSON Schema (PAPERS.md §3). We map them so that
// BFCL tool files load, and say so with a warning.
const BFCL_TYPES: Record<string, string | null> = { dict: 'object', float: 'number', tuple: 'array', any: null, int: 'integer', bool: 'boolean', str: 'string', list: 'array' };

export interface SchemaRewrite { path: PathSegment[]; from: string; to: string }

/** Returns a copy of `schema` with BFCL types mapped, and where each change was made (relative paths). */
export function mapBfclTypes(schema: unknown, path: PathSegment[] = [], rewrites: SchemaRewrite[] = [], depth = 0): { schema: unknown; rewrites: SchemaRewrite[] } {
  if (depth > 64 || schema === null || typeof schema !== 'object') return { schema, rewrites };
  if (Array.isArray(schema)) {
    return { schema: schema.map((s, i) => mapBfclTypes(s, [...path, i], rewrites, depth + 1).schema), rewrites };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k === 'type' && typeof v === 'string' && v in BFCL_TYPES) {
      const to = BFCL_TYPES[v];
      rewrites.push({ path: [...path, 'type'], from: v, to: to ?? '(any type)' });
      if (to !== null) out.type = to;
      continue;
    }
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      const props: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) {
        props[name] = mapBfclTypes(sub, [...path, 'properties', name], rewrites, depth + 1).schema;
      }
      out[k] = props;
      continue;
    }
    if (k === 'items' || k === 'additionalProperties' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'prefixItems') {
      out[k] = mapBfclTypes(v, [...path, k], rewrites, depth + 1).schema;
      continue;
    }
    out[k] = v;
  }
  return { schema: out, rewrites };
}
