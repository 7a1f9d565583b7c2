// Streaming JSONL: yields one decoded line at a time from a file of any size, in bounded memory. Lines longer than
// `maxLineBytes` are skipped without being buffered whole (a 10 MB row is reported, not loaded), invalid UTF-8 is
// located at its first bad byte, a leading BOM is dropped and CRLF line ends are accepted. Blank lines are skipped.
//
//   for await (const item of readJsonlLines('train.jsonl')) {
//     if (item.kind === 'line') handle(item.line, item.text);  else report(item);
//   }
import { createReadStream } from 'node:fs';
import { firstInvalidUtf8, hasBom, isUtf16 } from './text-input';

export type JsonlItem =
  | { kind: 'line'; line: number; text: string }
  | { kind: 'too-long'; line: number; bytes: number }
  | { kind: 'bad-utf8'; line: number; column: number; byte: number }
  | { kind: 'bom'; line: 1 }
  | { kind: 'utf16'; line: 1 };

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode the lines in buf[start, end) (newline-separated, no trailing newline). Fast path: decode the whole region at once
 *  (one native call for thousands of rows); only when that fails is each line decoded alone to find the bad one. */
function decodeLines(buf: Buffer, start: number, end: number, firstLine: number, out: JsonlItem[]): void {
  let text: string | undefined;
  try {
    text = fatal.decode(buf.subarray(start, end));
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    let line = firstLine;
    let pos = 0;
    while (pos <= text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      let s = text.slice(pos, nl);
      if (s.endsWith('\r')) s = s.slice(0, -1);
      if (s.trim() !== '') out.push({ kind: 'line', line, text: s });
      line++;
      pos = nl + 1;
    }
    return;
  }
  let line = firstLine;
  let pos = start;
  while (pos <= end) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0 || nl > end) nl = end;
    const bytes = buf.subarray(pos, nl);
    try {
      let s = fatal.decode(bytes);
      if (s.endsWith('\r')) s = s.slice(0, -1);
      if (s.trim() !== '') out.push({ kind: 'line', line, text: s });
    } catch {
      const bad = firstInvalidUtf8(bytes);
      out.push({ kind: 'bad-utf8', line, column: bad + 1, byte: bytes[bad] ?? 0 });
    }
    line++;
    pos = nl + 1;
  }
}

/** One item at a time (convenient; for hot loops prefer readJsonlBatches). */
export async function* readJsonlLines(path: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<JsonlItem> {
  for await (const batch of readJsonlBatches(path, maxLineBytes)) yield* batch;
}

/** The items of each ~1 MB chunk as one array: one await per chunk instead of one per row, which is most of
 *  the reader's cost on 100k-row files. */
export async function* readJsonlBatches(path: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<JsonlItem[]> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let first = true;
  // While skipping an over-long line: its line number and how many bytes it had so far.
  let skipping: { line: number; bytes: number } | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const batch: JsonlItem[] = [];
    let buf: Buffer = chunk;
    if (first) {
      first = false;
      // A UTF-16 file would decode as one long run of invalid bytes: say what it is once and stop.
      if (isUtf16(buf)) { yield [{ kind: 'utf16', line: 1 }]; return; }
      if (hasBom(buf)) { batch.push({ kind: 'bom', line: 1 }); buf = buf.subarray(3); }
    }
    let from = 0;
    if (skipping) {
      const nl = buf.indexOf(10);
      if (nl < 0) { skipping.bytes += buf.length; if (batch.length) yield batch; continue; }
      skipping.bytes += nl;
      batch.push({ kind: 'too-long', line: skipping.line, bytes: skipping.bytes });
      skipping = undefined;
      line++;
      from = nl + 1;
    }
    if (carry.length) { buf = Buffer.concat([carry, buf.subarray(from)]); from = 0; carry = Buffer.alloc(0); }
    const lastNl = buf.lastIndexOf(10);
    if (lastNl >= from) {
      // Lines in [from, lastNl) are complete; check each for length before decoding.
      let pos = from;
      let segStart = from;
      let segLine = line;
      while (pos <= lastNl) {
        const nl = buf.indexOf(10, pos);
        if (nl - pos > maxLineBytes) {
          if (pos > segStart) decodeLines(buf, segStart, pos - 1, segLine, batch);
          batch.push({ kind: 'too-long', line, bytes: nl - pos });
          segStart = nl + 1;
          segLine = line + 1;
        }
        line++;
        pos = nl + 1;
      }
      if (segStart <= lastNl) decodeLines(buf, segStart, lastNl, segLine, batch);
      carry = Buffer.from(buf.subarray(lastNl + 1));
    } else {
      carry = Buffer.from(buf.subarray(from));
    }
    if (carry.length > maxLineBytes) { skipping = { line, bytes: carry.length }; carry = Buffer.alloc(0); }
    if (batch.length) yield batch;
  }
  if (skipping) yield [{ kind: 'too-long', line: skipping.line, bytes: skipping.bytes }];
  else if (carry.length) {
    const last: JsonlItem[] = [];
    decodeLines(carry, 0, carry.length, line, last);
    if (last.length) yield last;
  }
}
