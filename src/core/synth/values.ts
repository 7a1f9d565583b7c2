// Drawing a value for a parameter (valid against its schema) and saying it in a request. The value is what the
// model must copy (strings, codes, dates, numbers) or map (enums, booleans), so most values are written verbatim in
// the request; invented words (syllables) make sure copying, not memory, is what is learned.
import type { Json } from '../types';
import type { Rng } from '../rng';
import type { ParamSpec } from './params';
import { MESSAGES, PEOPLE, PLACES, STREETS, SYLLABLES, TEXT_WORDS } from './words';

/** An invented capitalised word ("Velmora"): unseen, so only copying gets it right. */
export function inventedWord(rng: Rng, capital = true): string {
  const w = Array.from({ length: rng.range(2, 3) }, () => rng.pick(SYLLABLES)).join('');
  return capital ? w[0].toUpperCase() + w.slice(1) : w;
}

/** A string matching a simple regular expression (literals, \d, \w, [sets], {n}, {n,m}, +, ?, ^ and $), or null when
 *  the pattern uses something else. Written by hand: no npm package here generates strings from a pattern that ajv
 *  would accept, and only this small subset appears in tool schemas. */
export function sampleFromPattern(rng: Rng, pattern: string): string | null {
  let p = pattern;
  if (p.startsWith('^')) p = p.slice(1);
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  const out: string[] = [];
  let i = 0;
  while (i < p.length) {
    let chars: string[];
    const c = p[i];
    if (c === '\\') {
      const e = p[i + 1];
      if (e === 'd') chars = '0123456789'.split('');
      else if (e === 'w') chars = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
      else if (e === 's') chars = [' '];
      else if (/[.\-+*?()[\]{}^$|/\\]/.test(e ?? '')) chars = [e];
      else return null;
      i += 2;
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0 || p[i + 1] === '^') return null;
      chars = [];
      const body = p.slice(i + 1, end);
      for (let j = 0; j < body.length; j++) {
        if (body[j] === '\\' && body[j + 1] === 'd') { chars.push(...'0123456789'); j++; }
        else if (body[j + 1] === '-' && j + 2 < body.length) {
          for (let k = body.charCodeAt(j); k <= body.charCodeAt(j + 2); k++) chars.push(String.fromCharCode(k));
          j += 2;
        } else chars.push(body[j]);
      }
      i = end + 1;
    } else if (/[()|*.]/.test(c)) return null;
    else { chars = [c]; i++; }
    let lo = 1;
    let hi = 1;
    const q = p.slice(i).match(/^\{(\d+)(,(\d*))?\}|^[+?]/);
    if (q) {
      if (q[0] === '+') { lo = 1; hi = 4; } else if (q[0] === '?') { lo = 0; hi = 1; } else {
        lo = Number(q[1]); hi = q[2] ? (q[3] ? Number(q[3]) : lo + 4) : lo;
      }
      i += q[0].length;
    }
    const n = rng.range(lo, hi);
    for (let k = 0; k < n; k++) out.push(rng.pick(chars));
  }
  return out.join('');
}

const pad = (n: number) => String(n).padStart(2, '0');
const num = (schema: Record<string, unknown>, key: string): number | undefined => (typeof schema[key] === 'number' ? schema[key] as number : undefined);

function words(rng: Rng, lo: number, hi: number): string {
  return Array.from({ length: rng.range(lo, hi) }, () => (rng.chance(0.15) ? inventedWord(rng, false) : rng.pick(TEXT_WORDS))).join(' ');
}

/** A long string value for the copy drill: 4–12 words, many of them invented, so only copying gets it right. */
export function longText(rng: Rng): string {
  return Array.from({ length: rng.range(4, 12) }, () => (rng.chance(0.4) ? inventedWord(rng, rng.chance(0.3)) : rng.pick(TEXT_WORDS))).join(' ');
}

/** A value for `spec` that its schema accepts (null when none can be made, e.g. an unsupported pattern). With `long`,
 *  free-text kinds (titles, texts, queries, words) get long values (the copy drill, rows.ts). */
export function drawValue(rng: Rng, spec: ParamSpec, long = false): Json | null {
  const s = spec.schema;
  if (long && ['title', 'text', 'query', 'word'].includes(spec.kind)) return longText(rng);
  switch (spec.kind) {
    case 'enum': return rng.pick(s.enum as Json[]);
    case 'boolean': return rng.chance(0.5);
    case 'date': return `${rng.range(2024, 2027)}-${pad(rng.range(1, 12))}-${pad(rng.range(1, 28))}`;
    case 'time': return `${pad(rng.range(6, 22))}:${pad(rng.pick([0, 15, 30, 45, rng.range(0, 59)]))}`;
    case 'integer': {
      const lo = Math.ceil(num(s, 'minimum') ?? (num(s, 'exclusiveMinimum') ?? 0) + 1);
      const hi = Math.floor(num(s, 'maximum') ?? (num(s, 'exclusiveMaximum') ?? Math.max(lo, 0) + 101) - 1);
      // Small numbers are the common case in requests; the tail still covers the whole range.
      return rng.chance(0.6) ? Math.min(hi, lo + rng.int(Math.min(12, hi - lo + 1))) : rng.range(lo, Math.max(lo, hi));
    }
    case 'number': {
      const lo = num(s, 'minimum') ?? num(s, 'exclusiveMinimum') ?? 0;
      const hi = num(s, 'maximum') ?? num(s, 'exclusiveMaximum') ?? lo + 500;
      const v = lo + rng.next() * (hi - lo);
      const r = rng.chance(0.5) ? Math.round(v) : Math.round(v * 10) / 10;
      return r <= lo && s.exclusiveMinimum !== undefined ? lo + 1 : Math.min(r, hi);
    }
    case 'code': {
      if (typeof s.pattern === 'string') {
        const v = sampleFromPattern(rng, s.pattern);
        if (v === null) return null;
        try { if (!new RegExp(s.pattern, 'u').test(v)) return null; } catch { return null; }
        return v;
      }
      return `${inventedWord(rng).toUpperCase().slice(0, 3)}-${rng.range(100, 99999)}`;
    }
    case 'person': return rng.chance(0.75) ? rng.pick(PEOPLE) : inventedWord(rng);
    case 'place': return rng.chance(0.75) ? rng.pick(PLACES) : inventedWord(rng);
    case 'address': return `${rng.range(1, 250)} ${rng.pick(STREETS)}`;
    case 'title': { const t = words(rng, 1, 4); return rng.chance(0.5) ? t[0].toUpperCase() + t.slice(1) : t; }
    case 'text': return rng.chance(0.5) ? rng.pick(MESSAGES) : words(rng, 3, 7);
    case 'query': return words(rng, 1, 3);
    case 'word': return rng.chance(0.5) ? rng.pick(TEXT_WORDS) : inventedWord(rng, false);
    case 'email': return `${inventedWord(rng, false)}@${rng.pick(['example.com', 'mail.org', 'work.io'])}`;
    case 'phone': return `+${rng.range(1, 49)} ${rng.range(100, 999)} ${rng.range(100000, 999999)}`;
    case 'url': return rng.chance(0.5) ? `https://${inventedWord(rng, false)}.com/${rng.pick(TEXT_WORDS)}` : `/home/${inventedWord(rng, false)}/${rng.pick(TEXT_WORDS)}.txt`;
    case 'array': {
      const min = num(s, 'minItems') ?? 1;
      const n = Math.max(min, rng.range(1, 3));
      const out: Json[] = [];
      for (let k = 0; k < n * 3 && out.length < n; k++) {
        const v = drawValue(rng, spec.items!);
        if (v !== null && !out.includes(v)) out.push(v);
      }
      return out.length >= min ? out : null;
    }
    case 'object': {
      const required = Array.isArray(s.required) ? s.required as string[] : [];
      const o: Record<string, Json> = {};
      for (const p of spec.properties ?? []) {
        if (!required.includes(p.name) && rng.chance(0.5)) continue;
        const v = drawValue(rng, p);
        if (v === null) { if (required.includes(p.name)) return null; continue; }
        o[p.name] = v;
      }
      return o;
    }
  }
}

/** The value as a request writes it (without its cue). */
export function sayValue(rng: Rng, spec: ParamSpec, v: Json): string {
  if (spec.kind === 'boolean') return v ? spec.onPhrase ?? `with ${spec.name}` : spec.offPhrase ?? `without ${spec.name}`;
  if (spec.kind === 'enum') return typeof v === 'string' && v.includes('_') && rng.chance(0.4) ? v.replace(/_/g, ' ') : String(v);
  if (spec.kind === 'integer' || spec.kind === 'number') return spec.unit && rng.chance(0.7) ? `${v} ${spec.unit}` : String(v);
  if (Array.isArray(v)) {
    const parts = v.map((x) => sayValue(rng, spec.items!, x));
    return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, Json>;
    return (spec.properties ?? []).filter((p) => p.name in o).map((p) => sayValue(rng, p, o[p.name])).join(', ');
  }
  if ((spec.kind === 'title' || spec.kind === 'text') && rng.chance(0.35)) return `"${String(v)}"`;
  return String(v);
}

/** The value with a cue that tells which parameter it is ("in Lisbon", "priority high", "titled Draft"). */
export function sayParam(rng: Rng, spec: ParamSpec, v: Json): string {
  const said = sayValue(rng, spec, v);
  if (spec.kind === 'boolean' || !spec.cues.length) return said;
  const cue = rng.pick(spec.cues);
  if (!cue) return said;
  const named = cue === spec.name.replace(/_/g, ' ');
  if (named && rng.chance(0.4)) return rng.pick([`${cue}: ${said}`, `with ${cue} ${said}`, `${cue} set to ${said}`, `${cue} = ${said}`]);
  return `${cue} ${said}`;
}
