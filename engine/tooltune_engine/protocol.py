"""The engine protocol, Python side.

This file mirrors `src/engine/protocol.ts`: change both together and bump PROTOCOL_VERSION. JSON-RPC 2.0 over the
engine's stdin/stdout with LSP framing (Content-Length headers). Token ids cross the boundary, never text.

Here live the constants (version, error codes, method names) and the parsing of each method's params into plain
dataclasses. A bad field raises `ParamError`, which the server answers with -32602 naming the field and the fix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

PROTOCOL_VERSION = 1

# Standard JSON-RPC codes.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Engine codes (EngineErrorCode in protocol.ts).
METHOD_FAILED = -32000
OUT_OF_MEMORY = -32001
PROTOCOL_MISMATCH = -32002
NO_MODEL = -32003
BAD_MODEL = -32004

METHODS = (
    'initialize', 'load_model', 'init_model', 'configure_optimizer', 'generate', 'train_step', 'sft_step',
    'evaluate_logprobs', 'logits', 'save', 'load_checkpoint', 'export_onnx', 'shutdown',
)
LOSS_TYPES = ('grpo', 'bnpo', 'dr_grpo', 'dapo')
SCHEDULES = ('constant', 'linear', 'cosine', 'cosine_with_restarts', 'exponential')
SAVE_DTYPES = ('float32', 'bfloat16', 'float16')
SAVE_KINDS = ('merged', 'adapter', 'checkpoint')
DTYPES = ('auto', 'float32', 'bfloat16', 'float16')


class ParamError(ValueError):
    """A params field is missing or has the wrong type/value; `field` is its dotted path."""

    def __init__(self, field_path: str, message: str):
        super().__init__(f'params.{field_path}: {message}')
        self.field = field_path


# ---- typed readers ------------------------------------------------------------------------------------------------
_MISSING = object()


def _obj(value: Any, path: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise ParamError(path or '(root)', f'expected an object, got {type(value).__name__}')
    return value


def _get(d: Dict[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    if key not in d or d[key] is None:
        if default is _MISSING:
            raise ParamError(_join(path, key), 'is required')
        return default
    return d[key]


def _join(path: str, key: str) -> str:
    return f'{path}.{key}' if path else key


def _int(v: Any, path: str, minimum: Optional[int] = None) -> int:
    # bool is an int subclass in Python; `true` is never a valid count.
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise ParamError(path, f'expected an integer, got {v!r}')
    if minimum is not None and v < minimum:
        raise ParamError(path, f'must be >= {minimum}, got {v}')
    return v


def _num(v: Any, path: str, minimum: Optional[float] = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ParamError(path, f'expected a finite number, got {v!r}')
    if minimum is not None and v < minimum:
        raise ParamError(path, f'must be >= {minimum}, got {v}')
    return float(v)


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise ParamError(path, f'expected true or false, got {v!r}')
    return v


def _str(v: Any, path: str, choices: Optional[Sequence[str]] = None) -> str:
    if not isinstance(v, str) or not v:
        raise ParamError(path, f'expected a non-empty string, got {v!r}')
    if choices is not None and v not in choices:
        raise ParamError(path, f'must be one of {", ".join(choices)}; got {v!r}')
    return v


def _ids(v: Any, path: str, allow_empty: bool = False) -> List[int]:
    if not isinstance(v, list):
        raise ParamError(path, f'expected a list of token ids, got {type(v).__name__}')
    if not v and not allow_empty:
        raise ParamError(path, 'must not be empty')
    for i, t in enumerate(v):
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ParamError(f'{path}[{i}]', f'expected a non-negative integer token id, got {t!r}')
    return list(v)


def _floats(v: Any, path: str) -> List[float]:
    if not isinstance(v, list):
        raise ParamError(path, f'expected a list of numbers, got {type(v).__name__}')
    return [_num(x, f'{path}[{i}]') for i, x in enumerate(v)]


def _list(v: Any, path: str, allow_empty: bool = False) -> List[Any]:
    if not isinstance(v, list):
        raise ParamError(path, f'expected a list, got {type(v).__name__}')
    if not v and not allow_empty:
        raise ParamError(path, 'must not be empty')
    return v


# ---- initialize ---------------------------------------------------------------------------------------------------
@dataclass
class InitializeParams:
    protocol_version: int
    device: str = 'auto'
    dtype: str = 'auto'
    seed: Optional[int] = None
    num_threads: Optional[int] = None


def parse_initialize(p: Any) -> InitializeParams:
    d = _obj(p, '')
    seed = _get(d, 'seed', '', None)
    threads = _get(d, 'num_threads', '', None)
    return InitializeParams(
        protocol_version=_int(_get(d, 'protocol_version', ''), 'protocol_version'),
        device=_str(_get(d, 'device', '', 'auto'), 'device'),
        dtype=_str(_get(d, 'dtype', '', 'auto'), 'dtype', DTYPES),
        seed=None if seed is None else _int(seed, 'seed', 0),
        num_threads=None if threads is None else _int(threads, 'num_threads', 1),
    )


# ---- models -------------------------------------------------------------------------------------------------------
@dataclass
class LoraConfig:
    r: int
    alpha: float
    dropout: float
    target_modules: List[str]


@dataclass
class LoadModelParams:
    path: str
    lora: Optional[LoraConfig] = None
    gradient_checkpointing: bool = False


@dataclass
class InitModelParams:
    config: Dict[str, Any]
    out: str
    seed: int = 0
    lora: Optional[LoraConfig] = None
    gradient_checkpointing: bool = False


def _lora(d: Dict[str, Any]) -> Optional[LoraConfig]:
    v = _get(d, 'lora', '', None)
    if v is None:
        return None
    o = _obj(v, 'lora')
    mods = _list(_get(o, 'target_modules', 'lora'), 'lora.target_modules')
    return LoraConfig(
        r=_int(_get(o, 'r', 'lora'), 'lora.r', 1),
        alpha=_num(_get(o, 'alpha', 'lora'), 'lora.alpha', 0.0),
        dropout=_num(_get(o, 'dropout', 'lora', 0.0), 'lora.dropout', 0.0),
        target_modules=[_str(m, f'lora.target_modules[{i}]') for i, m in enumerate(mods)],
    )


def parse_load_model(p: Any) -> LoadModelParams:
    d = _obj(p, '')
    return LoadModelParams(path=_str(_get(d, 'path', ''), 'path'), lora=_lora(d),
                           gradient_checkpointing=_bool(_get(d, 'gradient_checkpointing', '', False),
                                                        'gradient_checkpointing'))


def parse_init_model(p: Any) -> InitModelParams:
    d = _obj(p, '')
    return InitModelParams(config=_obj(_get(d, 'config', ''), 'config'), out=_str(_get(d, 'out', ''), 'out'),
                           seed=_int(_get(d, 'seed', '', 0), 'seed', 0), lora=_lora(d),
                           gradient_checkpointing=_bool(_get(d, 'gradient_checkpointing', '', False),
                                                        'gradient_checkpointing'))


# ---- generate -----------------------------------------------------------------------------------------------------
@dataclass
class GenerateParams:
    prompts: List[List[int]]
    n: int
    max_new_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    stop_token_ids: List[int] = field(default_factory=list)
    seed: Optional[int] = None
    disable_adapter: bool = False


def parse_generate(p: Any) -> GenerateParams:
    d = _obj(p, '')
    prompts = _list(_get(d, 'prompts', ''), 'prompts')
    seed = _get(d, 'seed', '', None)
    top_p = _num(_get(d, 'top_p', '', 1.0), 'top_p', 0.0)
    if top_p == 0.0 or top_p > 1.0:
        raise ParamError('top_p', f'must be in (0, 1], got {top_p}')
    return GenerateParams(
        prompts=[_ids(x, f'prompts[{i}]') for i, x in enumerate(prompts)],
        n=_int(_get(d, 'n', ''), 'n', 1),
        max_new_tokens=_int(_get(d, 'max_new_tokens', ''), 'max_new_tokens', 1),
        temperature=_num(_get(d, 'temperature', '', 1.0), 'temperature', 0.0),
        top_p=top_p,
        top_k=_int(_get(d, 'top_k', '', 0), 'top_k', 0),
        stop_token_ids=_ids(_get(d, 'stop_token_ids', '', []), 'stop_token_ids', allow_empty=True),
        seed=None if seed is None else _int(seed, 'seed', 0),
        disable_adapter=_bool(_get(d, 'disable_adapter', '', False), 'disable_adapter'),
    )


# ---- updates ------------------------------------------------------------------------------------------------------
@dataclass
class LossConfig:
    loss_type: str = 'dapo'            # TRL's default today
    epsilon_low: float = 0.2           # TRL `epsilon`
    epsilon_high: float = 0.2          # TRL `epsilon_high` (DAPO suggests 0.28)
    beta: float = 0.0                  # TRL default: no KL, no reference pass
    max_completion_length: int = 256   # dr_grpo's normaliser
    mask_truncated_completions: bool = False
    temperature: float = 1.0


@dataclass
class TrainSequence:
    prompt_ids: List[int]
    completion_ids: List[int]
    advantage: float
    old_logprobs: Optional[List[float]] = None
    truncated: bool = False
    group: Optional[int] = None


@dataclass
class TrainStepParams:
    sequences: List[TrainSequence]
    loss: LossConfig
    micro_batch_tokens: Optional[int] = None


def parse_loss(v: Any, path: str = 'loss') -> LossConfig:
    d = _obj(v, path)
    j = lambda k: _join(path, k)  # noqa: E731
    cfg = LossConfig(
        loss_type=_str(_get(d, 'loss_type', path, 'dapo'), j('loss_type'), LOSS_TYPES),
        epsilon_low=_num(_get(d, 'epsilon_low', path, 0.2), j('epsilon_low'), 0.0),
        epsilon_high=_num(_get(d, 'epsilon_high', path, 0.2), j('epsilon_high'), 0.0),
        beta=_num(_get(d, 'beta', path, 0.0), j('beta'), 0.0),
        max_completion_length=_int(_get(d, 'max_completion_length', path, 256), j('max_completion_length'), 1),
        mask_truncated_completions=_bool(_get(d, 'mask_truncated_completions', path, False),
                                         j('mask_truncated_completions')),
        temperature=_num(_get(d, 'temperature', path, 1.0), j('temperature'), 0.0),
    )
    if cfg.epsilon_low >= 1.0:
        raise ParamError(j('epsilon_low'), f'must be < 1 (the ratio is clipped at 1 - epsilon_low), got {cfg.epsilon_low}')
    if cfg.temperature == 0.0:
        # Greedy sampling has no distribution to take log-probs of; TRL divides logits by the sampling temperature.
        raise ParamError(j('temperature'), 'must be > 0 for training (use the sampling temperature, e.g. 1.0)')
    return cfg


def parse_train_step(p: Any) -> TrainStepParams:
    d = _obj(p, '')
    seqs = []
    for i, s in enumerate(_list(_get(d, 'sequences', ''), 'sequences')):
        path = f'sequences[{i}]'
        o = _obj(s, path)
        comp = _ids(_get(o, 'completion_ids', path), f'{path}.completion_ids')
        old = _get(o, 'old_logprobs', path, None)
        old_l = None if old is None else _floats(old, f'{path}.old_logprobs')
        if old_l is not None and len(old_l) != len(comp):
            raise ParamError(f'{path}.old_logprobs',
                             f'has {len(old_l)} entries but completion_ids has {len(comp)}; send one per token')
        group = _get(o, 'group', path, None)
        seqs.append(TrainSequence(
            prompt_ids=_ids(_get(o, 'prompt_ids', path), f'{path}.prompt_ids'),
            completion_ids=comp,
            advantage=_num(_get(o, 'advantage', path), f'{path}.advantage'),
            old_logprobs=old_l,
            truncated=_bool(_get(o, 'truncated', path, False), f'{path}.truncated'),
            group=None if group is None else _int(group, f'{path}.group'),
        ))
    mbt = _get(d, 'micro_batch_tokens', '', None)
    return TrainStepParams(sequences=seqs, loss=parse_loss(_get(d, 'loss', '', {})),
                           micro_batch_tokens=None if mbt is None else _int(mbt, 'micro_batch_tokens', 1))


@dataclass
class OptimizerConfig:
    lr: float = 1e-6                   # TRL's default
    weight_decay: float = 0.0
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    max_grad_norm: float = 1.0
    schedule: str = 'constant'
    warmup_steps: int = 0
    total_steps: int = 1
    num_cycles: int = 1
    gamma: float = 1.0


def parse_optimizer(p: Any) -> OptimizerConfig:
    d = _obj(p, '')
    betas = _list(_get(d, 'betas', '', [0.9, 0.999]), 'betas')
    if len(betas) != 2:
        raise ParamError('betas', f'expected two numbers [beta1, beta2], got {betas!r}')
    b = tuple(_num(x, f'betas[{i}]', 0.0) for i, x in enumerate(betas))
    for i, x in enumerate(b):
        if x >= 1.0:
            raise ParamError(f'betas[{i}]', f'must be < 1, got {x}')
    cfg = OptimizerConfig(
        lr=_num(_get(d, 'lr', ''), 'lr', 0.0),
        weight_decay=_num(_get(d, 'weight_decay', '', 0.0), 'weight_decay', 0.0),
        betas=b,
        eps=_num(_get(d, 'eps', '', 1e-8), 'eps', 0.0),
        max_grad_norm=_num(_get(d, 'max_grad_norm', '', 1.0), 'max_grad_norm', 0.0),
        schedule=_str(_get(d, 'schedule', '', 'constant'), 'schedule', SCHEDULES),
        warmup_steps=_int(_get(d, 'warmup_steps', '', 0), 'warmup_steps', 0),
        total_steps=_int(_get(d, 'total_steps', '', 1), 'total_steps', 1),
        num_cycles=_int(_get(d, 'num_cycles', '', 1), 'num_cycles', 1),
        gamma=_num(_get(d, 'gamma', '', 1.0), 'gamma', 0.0),
    )
    if cfg.schedule == 'exponential' and not 0.0 < cfg.gamma <= 1.0:
        raise ParamError('gamma', f'exponential decay needs 0 < gamma <= 1, got {cfg.gamma}')
    return cfg


@dataclass
class SftExample:
    prompt_ids: List[int]
    target_ids: List[int]


@dataclass
class SftStepParams:
    examples: List[SftExample]
    micro_batch_tokens: Optional[int] = None


def parse_sft_step(p: Any) -> SftStepParams:
    d = _obj(p, '')
    ex = []
    for i, e in enumerate(_list(_get(d, 'examples', ''), 'examples')):
        path = f'examples[{i}]'
        o = _obj(e, path)
        ex.append(SftExample(prompt_ids=_ids(_get(o, 'prompt_ids', path), f'{path}.prompt_ids'),
                             target_ids=_ids(_get(o, 'target_ids', path), f'{path}.target_ids')))
    mbt = _get(d, 'micro_batch_tokens', '', None)
    return SftStepParams(examples=ex, micro_batch_tokens=None if mbt is None else _int(mbt, 'micro_batch_tokens', 1))


@dataclass
class EvaluateLogprobsParams:
    sequences: List[TrainSequence]
    disable_adapter: bool = False
    temperature: float = 1.0


def parse_evaluate_logprobs(p: Any) -> EvaluateLogprobsParams:
    d = _obj(p, '')
    seqs = []
    for i, s in enumerate(_list(_get(d, 'sequences', ''), 'sequences')):
        path = f'sequences[{i}]'
        o = _obj(s, path)
        seqs.append(TrainSequence(prompt_ids=_ids(_get(o, 'prompt_ids', path), f'{path}.prompt_ids'),
                                  completion_ids=_ids(_get(o, 'completion_ids', path), f'{path}.completion_ids'),
                                  advantage=0.0))
    return EvaluateLogprobsParams(sequences=seqs,
                                  disable_adapter=_bool(_get(d, 'disable_adapter', '', False), 'disable_adapter'),
                                  temperature=_num(_get(d, 'temperature', '', 1.0), 'temperature', 0.0) or 1.0)


@dataclass
class LogitsParams:
    input_ids: List[List[int]]
    attention_mask: Optional[List[List[int]]] = None


def parse_logits(p: Any) -> LogitsParams:
    d = _obj(p, '')
    rows = [_ids(x, f'input_ids[{i}]') for i, x in enumerate(_list(_get(d, 'input_ids', ''), 'input_ids'))]
    width = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != width:
            raise ParamError(f'input_ids[{i}]', f'has {len(r)} ids but row 0 has {width}; pad rows to one length')
    mask = _get(d, 'attention_mask', '', None)
    m = None
    if mask is not None:
        m = [_ids(x, f'attention_mask[{i}]') for i, x in enumerate(_list(mask, 'attention_mask'))]
        if len(m) != len(rows) or any(len(r) != width for r in m):
            raise ParamError('attention_mask', 'must have the same shape as input_ids')
        for i, r in enumerate(m):
            if any(x not in (0, 1) for x in r):
                raise ParamError(f'attention_mask[{i}]', 'entries must be 0 (pad) or 1 (token)')
    return LogitsParams(input_ids=rows, attention_mask=m)


@dataclass
class SaveParams:
    path: str
    kind: str
    trainer_state: Any = None
    # kind "merged" only: store the weights in this dtype (e.g. bfloat16 to ship a model at half the size); the
    # default keeps the model's own dtype.
    dtype: Optional[str] = None


def parse_save(p: Any) -> SaveParams:
    d = _obj(p, '')
    dtype = _get(d, 'dtype', '', None)
    return SaveParams(path=_str(_get(d, 'path', ''), 'path'), kind=_str(_get(d, 'kind', ''), 'kind', SAVE_KINDS),
                      trainer_state=d.get('trainer_state'),
                      dtype=None if dtype is None else _str(dtype, 'dtype', SAVE_DTYPES))


def parse_path(p: Any) -> str:
    return _str(_get(_obj(p, ''), 'path', ''), 'path')


@dataclass
class ExportOnnxParams:
    out: str
    model_path: Optional[str] = None
    opset: int = 17


def parse_export_onnx(p: Any) -> ExportOnnxParams:
    d = _obj(p, '')
    mp = _get(d, 'model_path', '', None)
    return ExportOnnxParams(out=_str(_get(d, 'out', ''), 'out'), model_path=None if mp is None else _str(mp, 'model_path'),
                            opset=_int(_get(d, 'opset', '', 17), 'opset', 7))
