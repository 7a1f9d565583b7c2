// Pythonic tool calls (Llama 3.2 lightweight models; PAPERS.md §5): `[get_weather(city='SF'), set_timer(minutes=5)]`,
// keyword arguments only, values as Python literals (str, int, float, True/False/None, list, tuple, dict).
// format([]) is NO_CALL_REPLY; plain text with no call syntax parses as a clean no-call answer.
//
// Parsed by hand: this is a small, closed subset of Python expressions, and no maintained JS library parses
// Python literals without also evaluating or bundling a whole Python grammar. The parser is a bounded
// recursive descent (depth ≤ 64) that never throws out of parse().
import type { Codec, Json, ParseResult, ToolCall } from '../types';
import { NO_CALL_REPLY, readPlainReply } from './plain-reply';
import { stripEndOfTurn } from './end-of-turn';

/** Python literal text of a JSON value (strings in single quotes like repr()). */
export function pyLiteral(v: Json | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return '[' + v.map(pyLiteral).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => `${pyString(k)}: ${pyLiteral(x)}`).join(', ') + '}';
}

function pyString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + "'";
}

function format(calls: readonly ToolCall[]): string {
  if (!calls.length) return NO_CALL_REPLY;
  return '[' + calls.map((c) => `${c.name}(${Object.entries(c.arguments).map(([k, v]) => `${k}=${pyLiteral(v)}`).join(', ')})`).join(', ') + ']';
}

class Fail extends Error {}
const MAX_DEPTH = 64;
const IDENT = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const NUMBER = /[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  ws(): void { while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++; }
  peek(): string { this.ws(); return this.s[this.pos] ?? ''; }
  eat(ch: string): boolean { if (this.peek() === ch) { this.pos++; return true; } return false; }
  expect(ch: string): void { if (!this.eat(ch)) throw new Fail(`expected "${ch}" at offset ${this.pos}`); }
  match(re: RegExp): string | undefined {
    this.ws();
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m || m.index !== this.pos) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  call(): ToolCall {
    const name = this.match(IDENT);
    if (!name) throw new Fail(`expected a function name at offset ${this.pos}`);
    this.expect('(');
    const args: Record<string, Json> = {};
    if (!this.eat(')')) {
      for (;;) {
        const key = this.match(/[A-Za-z_][A-Za-z0-9_]*/y);
        if (!key || !this.eat('=')) throw new Fail(`${name}: arguments must be keyword arguments (name=value)`);
        if (Object.prototype.hasOwnProperty.call(args, key)) throw new Fail(`${name}: argument ${key} given twice`);
        args[key] = this.value(0);
        if (this.eat(')')) break;
        this.expect(',');
        if (this.eat(')')) break; // trailing comma
      }
    }
    return { name, arguments: args };
  }

  value(depth: number): Json {
    if (depth > MAX_DEPTH) throw new Fail('nesting too deep');
    const c = this.peek();
    if (c === "'" || c === '"') return this.str();
    if (c === '[' || c === '(') return this.seq(c === '[' ? ']' : ')', depth);
    if (c === '{') return this.dict(depth);
    const word = this.match(/[A-Za-z_]+/y);
    if (word !== undefined) {
      const lit: Record<string, Json> = { True: true, False: false, None: null, true: true, false: false, null: null };
      if (word in lit) return lit[word]!;
      throw new Fail(`unknown name ${word} (only literals are allowed)`);
    }
    const num = this.match(NUMBER);
    if (num !== undefined) {
      const n = Number(num.replace(/_/g, ''));
      if (!Number.isFinite(n)) throw new Fail(`bad number ${num}`);
      return n;
    }
    throw new Fail(`expected a value at offset ${this.pos}`);
  }

  seq(close: string, depth: number): Json[] {
    this.pos++;
    const out: Json[] = [];
    if (this.eat(close)) return out;
    for (;;) {
      out.push(this.value(depth + 1));
      if (this.eat(close)) return out;
      this.expect(',');
      if (this.eat(close)) return out;
    }
  }

  dict(depth: number): Record<string, Json> {
    this.pos++;
    const out: Record<string, Json> = {};
    if (this.eat('}')) return out;
    for (;;) {
      if (this.peek() !== "'" && this.peek() !== '"') throw new Fail('dict keys must be strings');
      const k = this.str();
      this.expect(':');
      out[k] = this.value(depth + 1);
      if (this.eat('}')) return out;
      this.expect(',');
      if (this.eat('}')) return out;
    }
  }

  str(): string {
    const q = this.s[this.pos]!;
    let i = this.pos + 1;
    let out = '';
    const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0', b: '\b', f: '\f' };
    while (i < this.s.length) {
      const ch = this.s[i]!;
      if (ch === q) { this.pos = i + 1; return out; }
      if (ch === '\n') break;
      if (ch === '\\') {
        const n = this.s[i + 1] ?? '';
        if (n === 'x' || n === 'u') {
          const len = n === 'x' ? 2 : 4;
          const hex = this.s.slice(i + 2, i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Fail('bad escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 2 + len;
          continue;
        }
        out += esc[n] ?? '\\' + n;
        i += 2;
        continue;
      }
      out += ch;
      i++;
    }
    throw new Fail('unterminated string');
  }
}

function parse(text: string): ParseResult {
  let t = stripEndOfTurn(text).trim();
  if (t.startsWith('<|python_tag|>')) t = t.slice('<|python_tag|>'.length).trim();
  const bracketed = t.startsWith('[');
  const bare = !bracketed && /^[A-Za-z_][A-Za-z0-9_.-]*\s*\(/.test(t);
  if (!bracketed && !bare) {
    return readPlainReply(t, (s) => (/\[\s*[A-Za-z_][\w.-]*\(/.test(s) ? 'text before the call list' : undefined));
  }
  const r = new Reader(t);
  const calls: ToolCall[] = [];
  const errors: string[] = [];
  let clean = bracketed;
  if (bare) errors.push('calls must be written inside [ ]');
  try {
    if (bracketed) {
      r.pos = 1;
      if (!r.eat(']')) {
        for (;;) {
          calls.push(r.call());
          if (r.eat(']')) break;
          r.expect(',');
        }
      }
    } else {
      calls.push(r.call());
      while (r.eat(',')) calls.push(r.call());
    }
    r.ws();
    if (r.pos < t.length) { clean = false; errors.push('text after the calls'); }
  } catch (e) {
    clean = false;
    errors.push(e instanceof Fail ? e.message : `parse failure: ${String(e)}`);
  }
  return { calls, clean, errors };
}

/** Parse one Python literal (e.g. `{'name': 'f', 'arguments': {'a': True}}`, as the Hermes function-calling
 *  datasets write tools and calls); undefined when the text is anything else. Never throws. */
export function parsePythonLiteral(text: string): Json | undefined {
  try {
    const r = new Reader(text);
    const v = r.value(0);
    r.ws();
    return r.pos === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}

export const pythonic: Codec = { name: 'pythonic', format, parse };
