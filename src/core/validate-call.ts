// Schema check of one call against the tools: the inline provider flags invalid suggestions with it, and the
// dataset loader checks every expected call with it. Validators are compiled once per distinct schema (schema.ts
// caches by schema text) and looked up per tool object through a WeakMap, so a hot loop pays one map lookup.
//
//   validateCall({ name: 'get_weather', arguments: { city: 'Paris', unit: 'kelvin' } }, tools)
//   → { ok: false, errors: ['argument /unit must be one of: "celsius", "fahrenheit"'] }
import type { ValidateFunction } from 'ajv';
import type { ToolCall, ToolDef } from './types';
import { compileSchema, describeAjvErrors } from './schema';

export interface CallCheck { ok: boolean; errors: string[] }

const validators = new WeakMap<ToolDef, ValidateFunction | string>();

function validatorFor(tool: ToolDef): ValidateFunction | string {
  let v = validators.get(tool);
  if (v === undefined) {
    const c = compileSchema(tool.function.parameters);
    v = c.ok ? c.validate : c.error;
    validators.set(tool, v);
  }
  return v;
}

/** Unknown argument names: a schema with `properties` and no explicit `additionalProperties` still does not
 *  declare them, and a model inventing parameters is the failure we most need to flag. */
function undeclared(tool: ToolDef, args: Record<string, unknown>): string[] {
  const p = tool.function.parameters;
  if (!p.properties || p.additionalProperties !== undefined && p.additionalProperties !== false) return [];
  return Object.keys(args).filter((k) => !Object.prototype.hasOwnProperty.call(p.properties, k));
}

export function validateCall(call: ToolCall, tools: readonly ToolDef[]): CallCheck {
  const tool = tools.find((t) => t.function.name === call.name);
  if (!tool) {
    const names = tools.map((t) => t.function.name);
    return { ok: false, errors: [`unknown tool "${call.name}"${names.length ? `; known tools: ${names.join(', ')}` : ' (no tools are defined)'}`] };
  }
  return validateArguments(tool, call.arguments);
}

export function validateArguments(tool: ToolDef, args: unknown): CallCheck {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return { ok: false, errors: [`arguments of ${tool.function.name} must be an object`] };
  const v = validatorFor(tool);
  if (typeof v === 'string') return { ok: false, errors: [`the schema of ${tool.function.name} does not compile: ${v}`] };
  const errors: string[] = [];
  for (const k of undeclared(tool, args as Record<string, unknown>)) errors.push(`unknown argument /${k}`);
  if (!v(args)) for (const e of describeAjvErrors(v.errors)) if (!errors.includes(e)) errors.push(e);
  return { ok: errors.length === 0, errors };
}
