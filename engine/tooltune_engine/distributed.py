"""Several processes under `torchrun --nproc_per_node N`: rank 0 speaks the protocol, every rank works on a shard.

- Requests: rank 0 reads each request and broadcasts it; all ranks run the method in lockstep.
- generate: each rank samples its share of the prompts; rank 0 gathers the completions back in prompt order.
- train_step / sft_step: each rank computes the gradient of its share of the groups; gradients are averaged with
  one all-reduce after all micro-batches (the DDP rule, with DDP's `no_sync` during accumulation). An explicit
  all-reduce is used instead of wrapping the model in `DistributedDataParallel` because the update pass never calls
  `model.forward` (it runs `forward_hidden` + `head` on a shared prompt cache), and DDP's reducer is armed in
  `forward`. Backends: NCCL on CUDA, gloo on CPU.
- Loss normalisers follow TRL under several processes: grpo/bnpo/dr_grpo normalise per rank and the gradients are
  averaged; dapo divides by the global token count / world size. With equal shards this equals one process on the
  whole batch (tested: engine/tests/test_distributed.py).

Launch: `torchrun --nproc_per_node N -m tooltune_engine` (torch 2.x), one rank per GPU; `TOOLTUNE_DEVICE=cpu` for
CPU ranks on a machine that has a GPU (the backend is chosen at launch, before `initialize` names a device). Debian's torch 1.13 on Python 3.11 cannot parse
torchrun's default `--redirects 0` / `--tee 0` (IntFlag iteration changed in 3.11); add
`--redirects 1:2 --tee 1:2` (any mapping without the values 0 and 3) and rank 0 keeps stdin/stdout for the protocol.
"""
from __future__ import annotations

import os
from typing import Any, List, Sequence, TypeVar

import torch

T = TypeVar('T')


class Comm:
    """What the engine needs from a process group. The base class is the single-process case."""
    rank = 0
    world_size = 1

    def sum_floats(self, values: Sequence[float]) -> List[float]:
        return [float(v) for v in values]

    def average_grads(self, params: Sequence[torch.nn.Parameter]) -> None:
        return None

    def broadcast_object(self, obj: Any) -> Any:
        return obj

    def gather_objects(self, obj: Any) -> List[Any]:
        return [obj]

    def shard(self, items: Sequence[T]) -> List[T]:
        """This rank's contiguous share of `items` (sizes differ by at most one)."""
        n, w, r = len(items), self.world_size, self.rank
        lo = r * n // w
        hi = (r + 1) * n // w
        return list(items[lo:hi])

    def close(self) -> None:
        return None


class LocalComm(Comm):
    pass


class TorchComm(Comm):
    """torch.distributed process group set up from torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR...)."""

    def __init__(self, device: torch.device):
        import torch.distributed as dist
        self.dist = dist
        backend = 'nccl' if device.type == 'cuda' else 'gloo'
        if not dist.is_initialized():
            dist.init_process_group(backend=backend)
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        # Small reductions (metrics, counts) travel as float64 on the collective's device.
        self.device = device if backend == 'nccl' else torch.device('cpu')

    def sum_floats(self, values: Sequence[float]) -> List[float]:
        t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        self.dist.all_reduce(t, op=self.dist.ReduceOp.SUM)
        return [float(x) for x in t.cpu()]

    def average_grads(self, params: Sequence[torch.nn.Parameter]) -> None:
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return
        # One flat buffer per dtype: one collective instead of one per tensor (DDP buckets for the same reason).
        by_dtype: dict = {}
        for g in grads:
            by_dtype.setdefault(g.dtype, []).append(g)
        for gs in by_dtype.values():
            flat = torch.cat([g.reshape(-1) for g in gs])
            self.dist.all_reduce(flat, op=self.dist.ReduceOp.SUM)
            flat /= self.world_size
            off = 0
            for g in gs:
                n = g.numel()
                g.copy_(flat[off:off + n].view_as(g))
                off += n

    def broadcast_object(self, obj: Any) -> Any:
        box = [obj]
        self.dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather_objects(self, obj: Any) -> List[Any]:
        out: List[Any] = [None] * self.world_size
        self.dist.all_gather_object(out, obj)
        return out

    def close(self) -> None:
        if self.dist.is_initialized():
            self.dist.destroy_process_group()


def launched_by_torchrun() -> bool:
    return int(os.environ.get('WORLD_SIZE', '1')) > 1


def local_rank() -> int:
    return int(os.environ.get('LOCAL_RANK', '0'))


def make_comm(device: torch.device) -> Comm:
    return TorchComm(device) if launched_by_torchrun() else LocalComm()


def launch_device() -> torch.device:
    """The device the process group is built for, before any request arrives: `TOOLTUNE_DEVICE` (default "auto").
    The client's `initialize` should ask for the same one (e.g. TOOLTUNE_DEVICE=cpu for gloo on a GPU machine).

    NCCL refuses two ranks on one GPU ("Duplicate GPU detected", seen with 2 ranks on a 1-GPU H200 machine), so more
    local ranks than GPUs is an error that says what to change, not a crash inside the first collective."""
    from .device import DeviceError, pick_device
    dev = pick_device(os.environ.get('TOOLTUNE_DEVICE', 'auto'), local_rank())
    if dev.type == 'cuda':
        ranks = int(os.environ.get('LOCAL_WORLD_SIZE', os.environ.get('WORLD_SIZE', '1')))
        gpus = torch.cuda.device_count()
        if ranks > gpus:
            raise DeviceError(f'torchrun started {ranks} processes on this machine but it has {gpus} CUDA GPU(s); '
                              f'use --nproc_per_node {gpus}, or set TOOLTUNE_DEVICE=cpu for CPU ranks (gloo)')
    return dev
