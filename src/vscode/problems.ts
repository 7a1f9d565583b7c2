// Located input problems (core Diagnostic: file, line, column, pointer, hint) in the Problems panel.
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/types';

export function toVscodeDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const line = Math.max(0, d.line - 1);
  const col = Math.max(0, d.column - 1);
  const endLine = d.endLine !== undefined ? Math.max(line, d.endLine - 1) : line;
  const endCol = d.endColumn !== undefined ? Math.max(0, d.endColumn - 1) : col + 1;
  const range = new vscode.Range(line, col, endLine, endLine === line ? Math.max(endCol, col + 1) : endCol);
  const message = d.hint ? `${d.message} — fix: ${d.hint}` : d.message;
  const v = new vscode.Diagnostic(range, message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  v.source = 'ToolTune';
  if (d.pointer) v.code = d.pointer;
  return v;
}

/** Replace the collection's content with these diagnostics, grouped by file. Returns the number of errors. */
export function publish(collection: vscode.DiagnosticCollection, diagnostics: Diagnostic[], files: string[]): number {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const f of files) byFile.set(f, []);
  for (const d of diagnostics) {
    const list = byFile.get(d.file) ?? [];
    list.push(toVscodeDiagnostic(d));
    byFile.set(d.file, list);
  }
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
  return diagnostics.filter((d) => d.severity === 'error').length;
}
