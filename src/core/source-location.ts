// Source locations for diagnostics: turn a JSON pointer into a 1-based line and column inside the text it came
// from. JSON text is parsed with `jsonc-parser` because, unlike JSON.parse, it keeps every node's offset and reports
// syntax errors with offsets instead of throwing.
//
//   const doc = parseJsonDocument(text);            // { value, errors, tree }
//   locate(doc, text, ['tools', 0, 'function'])     // → { line, column } (1-based)
//
// Used by tools.ts (a whole tools file) and dataset.ts (one JSONL row, only when that row has a problem, so the
// fast path never builds a tree).
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Diagnostic, Json } from './types';

export type PathSegment = string | number;

export interface JsonDocument {
  tree: Node | undefined;
  value: Json | undefined;
  errors: ParseError[];
}

/** Parse strict JSON (no comments, no trailing commas), keeping offsets. Never throws. */
export function parseJsonDocument(text: string): JsonDocument {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  const value = tree ? (getNodeValue(tree) as Json) : undefined;
  return { tree, value, errors };
}

/** 1-based line/column of a character offset. */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: end - lineStart + 1 };
}

/** Offset of the node at `path` (its value, or for a missing key the nearest existing parent). */
export function offsetOf(tree: Node | undefined, path: PathSegment[]): { offset: number; length: number } {
  if (!tree) return { offset: 0, length: 0 };
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, path.slice(0, n));
    if (node) return { offset: node.offset, length: node.length };
  }
  return { offset: tree.offset, length: tree.length };
}

/** RFC 6901 JSON pointer of a path. */
export function toPointer(path: PathSegment[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Human text for jsonc-parser's syntax error codes, e.g. "CommaExpected" → "a comma is expected". */
export function describeSyntaxError(e: ParseError): string {
  const code = printParseErrorCode(e.error);
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'invalid number', PropertyNameExpected: 'a property name in double quotes is expected',
    ValueExpected: 'a value is expected', ColonExpected: 'a colon is expected', CommaExpected: 'a comma is expected',
    CloseBraceExpected: 'a closing } is expected', CloseBracketExpected: 'a closing ] is expected', EndOfFileExpected: 'text after the end of the JSON value',
    InvalidCommentToken: 'comments are not allowed in JSON', UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string', UnexpectedEndOfNumber: 'unterminated number', InvalidUnicode: 'invalid \\u escape',
    InvalidEscapeCharacter: 'invalid escape character in a string', InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
  };
  return words[code] ?? code;
}

/** describeSyntaxError with the two commonest causes named: a trailing comma, and text that ends too early. */
export function explainSyntaxError(text: string, e: ParseError): string {
  if (text.slice(e.offset).trim() === '') return 'the text ends too early (an unclosed {, [ or string)';
  const code = printParseErrorCode(e.error);
  if (code === 'ValueExpected' || code === 'PropertyNameExpected') {
    const before = text.slice(0, e.offset).trimEnd();
    if (before.endsWith(',')) return 'trailing comma (JSON allows none before } or ])';
  }
  return describeSyntaxError(e);
}

/** Builds located diagnostics for one text (a whole file, or one JSONL line at `baseLine`). */
export class Locator {
  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly tree: Node | undefined,
    /** line of the text's first character in the file (1 for a whole file, the row's line for JSONL). */
    private readonly baseLine = 1,
  ) {}

  at(path: PathSegment[], severity: Diagnostic['severity'], message: string, hint?: string): Diagnostic {
    const { offset, length } = offsetOf(this.tree, path);
    return this.atOffset(offset, length, severity, message, hint, toPointer(path));
  }

  atOffset(offset: number, length: number, severity: Diagnostic['severity'], message: string, hint?: string, pointer?: string): Diagnostic {
    const start = offsetToPosition(this.text, offset);
    const end = offsetToPosition(this.text, offset + length);
    const d: Diagnostic = {
      file: this.file, line: this.baseLine + start.line - 1, column: start.column,
      endLine: this.baseLine + end.line - 1, endColumn: end.column, severity, message,
    };
    if (pointer !== undefined) d.pointer = pointer;
    if (hint) d.hint = hint;
    return d;
  }
}

/** `file:line:col: error: message (hint)`: the form compilers print and editors link. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pointer ? ` [at ${d.pointer || '/'}]` : '';
  const hint = d.hint ? ` — ${d.hint}` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${where}${hint}`;
}
