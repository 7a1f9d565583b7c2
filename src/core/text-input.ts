// Decoding user files as UTF-8 text, strictly: invalid bytes are an error located at the first bad byte (a silent
// U+FFFD would corrupt argument values the model is then trained to copy), and a leading byte-order mark is
// dropped with a warning (JSON forbids it, but Windows editors write it).
import type { Diagnostic } from './types';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedText { text: string | undefined; diagnostics: Diagnostic[] }

export function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** A UTF-16 byte-order mark: Windows tools (PowerShell's `>`) write UTF-16 files that look fine in an editor. */
export function isUtf16(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
}

export const UTF16_ERROR = 'file is UTF-16 encoded, not UTF-8';
export const UTF16_HINT = 're-save it as UTF-8 (in PowerShell: Out-File -Encoding utf8)';

export const BOM_WARNING = 'file starts with a UTF-8 byte-order mark; it was ignored';

/** Decode a whole file. `baseLine` is the 1-based line of bytes[0] (for a JSONL row). */
export function decodeUtf8Text(bytes: Uint8Array, file: string, baseLine = 1, allowBom = true): DecodedText {
  const diagnostics: Diagnostic[] = [];
  if (isUtf16(bytes)) return { text: undefined, diagnostics: [{ file, line: baseLine, column: 1, severity: 'error', message: UTF16_ERROR, hint: UTF16_HINT }] };
  let start = 0;
  if (allowBom && hasBom(bytes)) {
    start = 3;
    diagnostics.push({ file, line: baseLine, column: 1, severity: 'warning', message: BOM_WARNING, hint: 'save the file as UTF-8 without BOM' });
  }
  const body = start ? bytes.subarray(start) : bytes;
  try {
    return { text: fatal.decode(body), diagnostics };
  } catch {
    const bad = firstInvalidUtf8(body);
    const { line, column } = bytePosition(body, bad);
    diagnostics.push({ file, line: baseLine + line - 1, column, severity: 'error', message: `invalid UTF-8 (byte 0x${(body[bad] ?? 0).toString(16).padStart(2, '0')} at byte offset ${bad + start})`, hint: 're-save the file as UTF-8' });
    return { text: undefined, diagnostics };
  }
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629 table). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) { i++; continue; }
    else if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

/** 1-based line and (character-ish, byte-based) column of a byte offset. */
function bytePosition(b: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < b.length; i++) if (b[i] === 10) { line++; lineStart = i + 1; }
  return { line, column: offset - lineStart + 1 };
}
