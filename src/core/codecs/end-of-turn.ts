// End-of-turn markers a decoder may leave at the end of a completion when special tokens are not skipped
// (Qwen/ChatML `<|im_end|>`, `<|endoftext|>`, Llama `<|eot_id|>`/`<|eom_id|>`, SentencePiece `</s>`). They end the
// turn; they are not text the model wrote around its calls, so every codec drops them before the strict check.
const TRAILING = /(?:\s*(?:<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>|<\|eom_id\|>|<\/s>))+\s*$/;

export function stripEndOfTurn(text: string): string {
  return text.replace(TRAILING, '');
}
