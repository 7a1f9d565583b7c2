"""The engine process: method dispatch over JSON-RPC and the state one session holds (device, model, optimizer).

Lifecycle: `initialize` first (protocol versions must match), then `load_model` / `init_model`, then any of
generate / train_step / sft_step / evaluate_logprobs / logits / save / load_checkpoint / export_onnx, until
`shutdown`, SIGTERM, or end of input (the parent closed the pipe or died). One request runs at a time, in order.

Every failure becomes a JSON-RPC error and the engine keeps serving: bad params -32602 naming the field, a model the
engine cannot use -32004, no model yet -32003, CUDA/MPS out of memory -32001 with a hint, any other exception
-32000 with the Python type, message and traceback.
"""
from __future__ import annotations

import copy
import os
import platform
import random
import signal
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

import torch

from . import __version__
from . import checkpoint as ckpt
from . import protocol as P
from .device import DeviceError, DeviceInfo, autocast, configure, dtype_name, is_out_of_memory, master_weights_fp32
from .distributed import Comm, LocalComm, local_rank, make_comm
from .errors import EngineError, ModelError
from .optim import Optimizer
from .rpc import FrameError, FrameReader, FrameWriter, Message, claim_stdout
from .trainer import TrainInputError, sft_step, train_step


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code = code
        self.data = data


class Terminated(BaseException):
    """SIGTERM: unwinds whatever is running (BaseException, so method error handlers do not swallow it)."""


def _lora_dict(lora: Optional[P.LoraConfig]) -> Optional[dict]:
    return None if lora is None else dict(lora.__dict__)


class Session:
    """The state of one engine process. Methods take parsed params and return JSON-ready results."""

    def __init__(self, notify: Callable[[str, Any], None], comm: Optional[Comm] = None):
        self.notify = notify
        self.comm: Comm = comm or LocalComm()
        self.info: Optional[DeviceInfo] = None
        self.model: Optional[torch.nn.Module] = None
        self.cfg = None
        self.lora: Optional[P.LoraConfig] = None
        self.base_path: Optional[str] = None
        self.opt_cfg = P.OptimizerConfig()
        self.optimizer: Optional[Optimizer] = None
        # Full fine-tuning with beta > 0: the KL reference is a frozen copy of the weights GRPO started from (as
        # TRL's ref model is the model it was given). With LoRA the reference is the base with adapters off.
        self.reference: Optional[torch.nn.Module] = None
        self.shutting_down = False

    # ---- helpers --------------------------------------------------------------------------------------------------
    def log(self, level: str, message: str) -> None:
        print(f'[engine {level}] {message}', file=sys.stderr, flush=True)
        if self.comm.rank == 0:
            self.notify('log', {'level': level, 'message': message})

    def progress(self, task: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            if self.comm.rank == 0:
                self.notify('progress', {'task': task, 'done': done, 'total': total})
        return report

    def need_init(self) -> DeviceInfo:
        if self.info is None:
            raise RpcError(P.INVALID_REQUEST, 'call initialize first (it checks the protocol version and picks the '
                                              'device)')
        return self.info

    def need_model(self) -> torch.nn.Module:
        self.need_init()
        if self.model is None:
            raise RpcError(P.NO_MODEL, 'no model loaded: call load_model or init_model first')
        return self.model

    def compute(self):
        """The context forwards run in: bf16 autocast on CUDA, nothing elsewhere."""
        return autocast(self.info.device, self.info.dtype)

    def need_optimizer(self) -> Optimizer:
        model = self.need_model()
        if self.optimizer is None:
            self.optimizer = Optimizer(model.parameters(), self.opt_cfg)
        return self.optimizer

    def model_info(self) -> dict:
        m = self.need_model()
        return {'model_type': self.cfg.model_type,
                'num_parameters': sum(p.numel() for p in m.parameters()),
                'trainable_parameters': sum(p.numel() for p in m.parameters() if p.requires_grad),
                'vocab_size': self.cfg.vocab_size, 'lora': self.lora is not None}

    # ---- initialize -----------------------------------------------------------------------------------------------
    def initialize(self, p: P.InitializeParams) -> dict:
        if p.protocol_version != P.PROTOCOL_VERSION:
            raise RpcError(P.PROTOCOL_MISMATCH,
                           f'protocol mismatch: the client speaks version {p.protocol_version}, this engine '
                           f'({__version__}) speaks {P.PROTOCOL_VERSION}; install the engine that ships with this '
                           'ToolTune version',
                           {'type': 'ProtocolMismatch', 'message': 'protocol version mismatch',
                            'engine': P.PROTOCOL_VERSION, 'client': p.protocol_version})
        try:
            self.info = configure(p.device, p.dtype, p.num_threads, local_rank())
        except DeviceError as e:
            raise P.ParamError('device', str(e))
        if p.seed is not None:
            torch.manual_seed(p.seed)
            random.seed(p.seed)
        out = {'protocol_version': P.PROTOCOL_VERSION, 'engine_version': __version__,
               'torch_version': torch.__version__, 'python_version': platform.python_version(),
               'world_size': self.comm.world_size}
        out.update(self.info.describe())
        return out

    # ---- models ---------------------------------------------------------------------------------------------------
    def _install(self, path: str, lora: Optional[P.LoraConfig], gradient_checkpointing: bool, seed: int = 0) -> dict:
        from .lora import apply_lora
        from .model import load_model
        info = self.need_init()
        fp32_master = master_weights_fp32(info.device, info.dtype)
        # Full fine-tuning on CUDA keeps fp32 master weights (forwards autocast to bf16); LoRA keeps the frozen
        # base in the 16-bit dtype and only its adapters in fp32.
        load_dtype = torch.float32 if fp32_master and lora is None else info.dtype
        model, cfg = load_model(path, device=info.device, dtype=load_dtype)
        if lora is not None:
            try:
                apply_lora(model, lora.r, lora.alpha, lora.dropout, lora.target_modules, seed=seed)
            except EngineError as e:
                raise P.ParamError('lora', str(e))
            if fp32_master:
                for prm in model.parameters():
                    if prm.requires_grad:
                        prm.data = prm.data.float()
        else:
            for prm in model.parameters():
                prm.requires_grad_(True)
        model.gradient_checkpointing = gradient_checkpointing
        self.model, self.cfg, self.lora, self.base_path = model, cfg, lora, os.path.abspath(path)
        self.optimizer = None
        self.reference = None
        info_out = self.model_info()
        self.log('info', f'loaded {cfg.model_type} from {path}: {info_out["num_parameters"]:,} parameters, '
                         f'{info_out["trainable_parameters"]:,} trainable, on {info.device} ({dtype_name(info.dtype)})')
        return info_out

    def load_model(self, p: P.LoadModelParams) -> dict:
        return self._install(p.path, p.lora, p.gradient_checkpointing)

    def init_model(self, p: P.InitModelParams) -> dict:
        from .config import ModelConfig
        from .model import init_model, save_model
        self.need_init()
        cfg = ModelConfig.from_dict(p.config, source='params.config')
        failure = None
        if self.comm.rank == 0:
            try:
                save_model(init_model(cfg, seed=p.seed), cfg, p.out)
            except Exception as e:  # noqa: BLE001 - re-raised below on every rank, after the barrier
                failure = e
        if self.comm.world_size > 1:
            # A barrier (the folder exists before the other ranks read it) that also carries rank 0's failure, so
            # no rank is left waiting in a collective the others skipped.
            message = self.comm.broadcast_object(None if failure is None else f'{type(failure).__name__}: {failure}')
            if message is not None and failure is None:
                raise EngineError(f'rank 0 could not write {p.out}: {message}')
        if failure is not None:
            raise failure
        return self._install(p.out, p.lora, p.gradient_checkpointing, seed=p.seed)

    def configure_optimizer(self, cfg: P.OptimizerConfig) -> dict:
        self.opt_cfg = cfg
        if self.optimizer is not None:
            # Keep the moments and the update count; take the new hyper-parameters and schedule.
            self.optimizer.cfg = cfg
            for g in self.optimizer.torch.param_groups:
                g['betas'] = tuple(cfg.betas)
                g['eps'] = cfg.eps
            self.optimizer.torch.param_groups[0]['weight_decay'] = cfg.weight_decay  # group 0: the matrices
        return {'ok': True}

    # ---- sampling and scoring -------------------------------------------------------------------------------------
    def _adapter_off(self, disable: bool):
        import contextlib
        from .lora import lora_disabled
        return lora_disabled(self.model) if disable and self.lora is not None else contextlib.nullcontext()

    def generate(self, p: P.GenerateParams) -> dict:
        from .sampling import generate
        model = self.need_model()
        t0 = time.perf_counter()
        lo = self.comm.rank * len(p.prompts) // self.comm.world_size
        mine = self.comm.shard(p.prompts)
        out: List[dict] = []
        if mine:
            model.eval()
            seed = None if p.seed is None else p.seed + self.comm.rank
            with torch.no_grad(), self._adapter_off(p.disable_adapter), self.compute():
                rows = generate(model, mine, p.n, p.max_new_tokens, temperature=p.temperature, top_p=p.top_p,
                                top_k=p.top_k, stop_token_ids=tuple(p.stop_token_ids), seed=seed,
                                pad_id=self._pad_id())
            for r in rows:
                out.append({'prompt_index': int(r['prompt_index']) + lo, 'ids': [int(x) for x in r['ids']],
                            'logprobs': [float(x) for x in r['logprobs']], 'finish_reason': r['finish_reason']})
        if self.comm.world_size > 1:
            out = [c for part in self.comm.gather_objects(out) for c in part]
        secs = time.perf_counter() - t0
        tokens = sum(len(c['ids']) for c in out)
        return {'completions': out, 'tokens_per_second': tokens / secs if secs > 0 else 0.0, 'seconds': secs}

    def _pad_id(self) -> int:
        eos = self.cfg.eos_token_ids if self.cfg is not None else []
        return int(eos[0]) if eos else 0

    def _logprob_fn(self):
        from .logprobs import batched_completion_logprobs
        pad = self._pad_id()

        def fn(model, prompts, comps, temperature=1.0, with_entropy=False):
            with self.compute():  # the forward only: backward runs outside autocast, as torch recommends
                return batched_completion_logprobs(model, prompts, comps, temperature=temperature,
                                                   with_entropy=with_entropy, pad_id=pad)
        return fn

    def _reference_fn(self, beta: float):
        if beta <= 0:
            return None
        fn = self._logprob_fn()
        if self.lora is not None:
            from .lora import lora_disabled

            def ref(prompts, comps, temperature):
                with torch.no_grad(), lora_disabled(self.model):
                    return fn(self.model, prompts, comps, temperature=temperature)[0]
            return ref
        if self.reference is None:
            self.reference = copy.deepcopy(self.model).eval()
            for prm in self.reference.parameters():
                prm.requires_grad_(False)
            self.log('info', 'KL reference: a frozen copy of the current weights (full fine-tuning with beta > 0)')

        def ref_full(prompts, comps, temperature):
            with torch.no_grad():
                return fn(self.reference, prompts, comps, temperature=temperature)[0]
        return ref_full

    def _shard_groups(self, seqs: List[P.TrainSequence]) -> List[P.TrainSequence]:
        """Under DDP each rank takes whole groups, so a prompt's completions keep sharing its forward pass."""
        if self.comm.world_size == 1:
            return seqs
        from .trainer import group_by_prompt
        groups = group_by_prompt([s.prompt_ids for s in seqs], [s.group for s in seqs])
        return [seqs[i] for g in self.comm.shard(groups) for i in g.indices]

    def train_step(self, p: P.TrainStepParams) -> dict:
        model = self.need_model()
        opt = self.need_optimizer()
        out = train_step(model, opt, self._shard_groups(p.sequences), p.loss, self._logprob_fn(),
                         reference=self._reference_fn(p.loss.beta), micro_batch_tokens=p.micro_batch_tokens,
                         comm=self.comm, progress=self.progress('train_step'))
        return out.to_json()

    def sft_step(self, p: P.SftStepParams) -> dict:
        model = self.need_model()
        opt = self.need_optimizer()
        out = sft_step(model, opt, self.comm.shard(p.examples), self._logprob_fn(),
                       micro_batch_tokens=p.micro_batch_tokens, comm=self.comm, progress=self.progress('sft_step'))
        return out.to_json()

    def evaluate_logprobs(self, p: P.EvaluateLogprobsParams) -> dict:
        """Log-probs of each completion, sequences sharing a prompt scored together, in token-budget batches."""
        from .trainer import DEFAULT_MICRO_BATCH_TOKENS, group_by_prompt, plan_micro_batches
        model = self.need_model()
        fn = self._logprob_fn()
        res: List[Optional[List[float]]] = [None] * len(p.sequences)
        lengths = [len(s.completion_ids) for s in p.sequences]
        groups = group_by_prompt([s.prompt_ids for s in p.sequences], [None] * len(p.sequences))
        model.eval()
        with torch.no_grad(), self._adapter_off(p.disable_adapter):
            for batch in plan_micro_batches(groups, lengths, DEFAULT_MICRO_BATCH_TOKENS):
                lps, _ = fn(model, [c.prompt_ids for c in batch],
                            [[p.sequences[i].completion_ids for i in c.indices] for c in batch],
                            temperature=p.temperature)
                for i, lp in zip([i for c in batch for i in c.indices], lps):
                    res[i] = [float(x) for x in lp.float().cpu()]
        return {'logprobs': res}

    def logits(self, p: P.LogitsParams) -> dict:
        """Last-position logits of each row (rows left-padded, as transformers.js batches them)."""
        from .model import position_ids_from_mask
        model = self.need_model()
        dev = self.info.device
        ids = torch.tensor(p.input_ids, dtype=torch.long, device=dev)
        mask = torch.ones_like(ids) if p.attention_mask is None else torch.tensor(p.attention_mask, device=dev)
        model.eval()
        with torch.no_grad(), self.compute():
            hidden, _ = model.forward_hidden(ids, position_ids_from_mask(mask), mask)
            logits = model.head(hidden[:, -1]).float().cpu()
        return {'logits': logits.tolist()}

    # ---- persistence ----------------------------------------------------------------------------------------------
    def save(self, p: P.SaveParams) -> dict:
        model = self.need_model()
        if self.comm.rank != 0:  # every rank holds the same weights; one writes
            return {'path': os.path.abspath(p.path), 'bytes': 0}
        if p.kind == 'merged':
            from .model import save_model
            save_model(model, self.cfg, p.path, dtype=getattr(torch, p.dtype) if p.dtype else None)
            return {'path': os.path.abspath(p.path), 'bytes': ckpt.folder_bytes(p.path)}
        if p.kind == 'adapter':
            if self.lora is None:
                raise P.ParamError('kind', '"adapter" needs a model loaded with lora; use kind "merged" for full '
                                           'fine-tuning')
            from .lora import adapter_config, adapter_state_dict

            def fill(tmp: str) -> None:
                ckpt.save_tensors(tmp, 'adapter_model.safetensors', adapter_state_dict(model))
                conf = adapter_config(model)
                conf['base_model_name_or_path'] = self.base_path
                ckpt.write_json(os.path.join(tmp, 'adapter_config.json'), conf)
            return {'path': os.path.abspath(p.path), 'bytes': ckpt.write_folder_atomically(p.path, fill)}
        return {'path': os.path.abspath(p.path), 'bytes': ckpt.write_folder_atomically(
            p.path, lambda tmp: self._fill_checkpoint(tmp, p.trainer_state))}

    def _fill_checkpoint(self, tmp: str, trainer_state: Any) -> None:
        ckpt.write_checkpoint(tmp, self.model, self.cfg, _lora_dict(self.lora), self.base_path, self.opt_cfg,
                              self.optimizer, self.reference, trainer_state)

    def load_checkpoint(self, path: str) -> dict:
        self.need_init()
        st = ckpt.read_engine_state(path)
        lora = None if st['lora'] is None else P.LoraConfig(**st['lora'])
        checkpointing = bool(st.get('gradient_checkpointing', False))
        if lora is not None:
            self._install(st['base_path'], lora, checkpointing)
            ckpt.load_trainable(self.model, path, st['base_path'])
        else:
            self._install(os.path.join(path, 'model'), None, checkpointing)
            self.base_path = st.get('base_path') or self.base_path
        self.reference = ckpt.load_reference(self.model, path)
        self.opt_cfg = ckpt.optimizer_config_from(st) or self.opt_cfg
        if st.get('optimizer') is not None:
            self.optimizer = Optimizer(self.model.parameters(), self.opt_cfg)
            ckpt.load_optimizer(self.optimizer, path, st, self.info.device)
        ckpt.restore_rng(ckpt.read_tensors(path, 'rng.safetensors'), st.get('python_rng'))
        trainer_state = ckpt.read_json(os.path.join(path, 'trainer_state.json'))
        self.log('info', f'resumed from {path} at update {st["step"]}')
        return {'step': int(st['step']), 'trainer_state': trainer_state}

    def export_onnx(self, p: P.ExportOnnxParams) -> dict:
        from . import onnx_export  # lazy: owned by the inference engineer, and only needed here
        t0 = time.perf_counter()
        if p.model_path is not None:
            from .model import load_model
            model, cfg = load_model(p.model_path, device='cpu', dtype=torch.float32)
        else:
            # export_onnx makes its own merged CPU fp32 copy when the model has LoRA or lives elsewhere.
            model, cfg = self.need_model(), self.cfg
        model.eval()
        path = onnx_export.export_onnx(model, cfg, p.out, opset=p.opset)
        return {'path': str(path), 'bytes': ckpt.folder_bytes(str(path)), 'seconds': time.perf_counter() - t0}


# ---- dispatch -----------------------------------------------------------------------------------------------------
_PARSERS: Dict[str, Callable[[Any], Any]] = {
    'initialize': P.parse_initialize, 'load_model': P.parse_load_model, 'init_model': P.parse_init_model,
    'configure_optimizer': P.parse_optimizer, 'generate': P.parse_generate, 'train_step': P.parse_train_step,
    'sft_step': P.parse_sft_step, 'evaluate_logprobs': P.parse_evaluate_logprobs, 'logits': P.parse_logits,
    'save': P.parse_save, 'load_checkpoint': P.parse_path, 'export_onnx': P.parse_export_onnx,
    'shutdown': lambda p: p,
}


def _data(e: BaseException, with_tb: bool = True, **extra: Any) -> dict:
    d = {'type': type(e).__name__, 'message': str(e)}
    if with_tb:
        d['traceback'] = ''.join(traceback.format_exception(type(e), e, e.__traceback__))[-8000:]
    d.update(extra)
    return d


def call(session: Session, method: str, params: Any) -> Any:
    """Run one method; raises RpcError for every failure."""
    parser = _PARSERS.get(method)
    if parser is None:
        raise RpcError(P.METHOD_NOT_FOUND, f'unknown method {method!r}; the engine implements {", ".join(P.METHODS)}')
    try:
        parsed = parser(params)
        if method == 'shutdown':
            session.shutting_down = True
            return {'ok': True}
        if method != 'initialize':
            session.need_init()
        return getattr(session, method)(parsed)
    except RpcError:
        raise
    except (P.ParamError, TrainInputError, DeviceError) as e:
        raise RpcError(P.INVALID_PARAMS, f'{method}: {e}', _data(e, with_tb=False, field=getattr(e, 'field', None)))
    except ModelError as e:
        raise RpcError(P.BAD_MODEL, f'{method}: {e}', _data(e, with_tb=False))
    except EngineError as e:
        raise RpcError(P.METHOD_FAILED, f'{method}: {e}', _data(e, with_tb=False))
    except Exception as e:  # noqa: BLE001 - any failure must become an error reply, not a dead engine
        if is_out_of_memory(e):
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            raise RpcError(P.OUT_OF_MEMORY, f'{method}: out of memory on {session.info.device if session.info else "?"}',
                           _data(e, with_tb=False, hint='lower micro_batch_tokens (train_step/sft_step), the number of '
                                                       'prompts per step, or max_new_tokens; or enable '
                                                       'gradient_checkpointing / LoRA'))
        raise RpcError(P.METHOD_FAILED, f'{method} failed: {type(e).__name__}: {e}', _data(e))


def serve(reader: FrameReader, writer: Optional[FrameWriter], session: Session) -> int:
    """The request loop. Rank 0 reads and answers; other ranks (writer None) receive each request by broadcast."""
    comm = session.comm
    while not session.shutting_down:
        msg: Any = None
        if comm.rank == 0:
            msg = reader.read()
            if isinstance(msg, FrameError):
                writer.error(msg.id, msg.code, msg.message)
                continue
        if comm.world_size > 1:
            wire = None if msg is None else (msg.method, msg.params, msg.id)
            wire = comm.broadcast_object(wire)
            msg = None if wire is None else Message(*wire)
        if msg is None:
            session.log('info', 'end of input: the client closed the pipe; exiting')
            return 0
        try:
            result = call(session, msg.method, msg.params)
            if msg.id is not None and writer is not None:
                writer.result(msg.id, result)
        except RpcError as e:
            if msg.id is None:
                # A notification (no reply possible), e.g. `$/cancelRequest` from vscode-jsonrpc: only log it.
                if e.code != P.METHOD_NOT_FOUND:
                    session.log('warning', f'notification {msg.method} failed: {e}')
            elif writer is not None:
                writer.error(msg.id, e.code, str(e), e.data)
    return 0


def main() -> int:
    proto_out = claim_stdout()
    writer = FrameWriter(proto_out)

    def on_term(signum, frame):  # noqa: ARG001
        raise Terminated()
    signal.signal(signal.SIGTERM, on_term)
    comm: Comm = LocalComm()
    try:
        from .distributed import launched_by_torchrun
        if launched_by_torchrun():
            from .distributed import launch_device
            comm = make_comm(launch_device())
        session = Session(writer.notify if comm.rank == 0 else (lambda m, p: None), comm)
        reader = FrameReader(sys.stdin.buffer)
        return serve(reader, writer if comm.rank == 0 else None, session)
    except Terminated:
        print('[engine info] SIGTERM: exiting', file=sys.stderr, flush=True)
        return 0
    except DeviceError as e:  # e.g. more torchrun ranks than GPUs (distributed.launch_device): say so, no traceback
        print(f'[engine error] {e}', file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        comm.close()
