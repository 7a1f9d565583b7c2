"""The decoder's key/value cache: per-layer keys and values, each [B, n_kv_heads, T, head_dim].

Re-exported by `model.py` (`from .model import KVCache`), which is where the engine's contract names it.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

import torch

Tensor = torch.Tensor


class KVCache:
    """Per-layer keys and values, each [B, n_kv_heads, T, head_dim].

    Two storage modes. By default each update concatenates (autograd-safe: the training pass keeps the prompt's
    keys/values with their graph and shares them across a group's completions). After `reserve(total)` the cache
    owns preallocated buffers and decoding writes into them in place, so a sampling step does not reallocate the
    whole cache (generation runs under no_grad).
    """

    def __init__(self, num_layers: int):
        self.keys: List[Optional[Tensor]] = [None] * num_layers
        self.values: List[Optional[Tensor]] = [None] * num_layers
        self.lengths = [0] * num_layers
        self.buffered = False

    @classmethod
    def from_tensors(cls, kv: Sequence[Tuple[Tensor, Tensor]]) -> "KVCache":
        c = cls(len(kv))
        for i, (k, v) in enumerate(kv):
            c.keys[i], c.values[i], c.lengths[i] = k, v, k.shape[2]
        return c

    @property
    def num_layers(self) -> int:
        return len(self.keys)

    @property
    def length(self) -> int:
        """Tokens cached (after a complete forward every layer holds the same number)."""
        return self.lengths[-1]

    @property
    def batch_size(self) -> int:
        return 0 if self.keys[0] is None else self.keys[0].shape[0]

    def layer(self, i: int) -> Tuple[Tensor, Tensor]:
        n = self.lengths[i]
        return self.keys[i][:, :, :n], self.values[i][:, :, :n]

    def to_tensors(self) -> List[Tuple[Tensor, Tensor]]:
        return [self.layer(i) for i in range(self.num_layers)]

    def update(self, i: int, k: Tensor, v: Tensor) -> Tuple[Tensor, Tensor]:
        """Append new keys/values of layer i; returns the full keys/values to attend over."""
        n, t = self.lengths[i], k.shape[2]
        if self.keys[i] is None:
            self.keys[i], self.values[i] = k, v
        elif self.buffered and n + t <= self.keys[i].shape[2] and not (torch.is_grad_enabled() and k.requires_grad):
            self.keys[i][:, :, n:n + t] = k
            self.values[i][:, :, n:n + t] = v
        else:
            pk, pv = self.layer(i)
            self.keys[i], self.values[i] = torch.cat([pk, k], dim=2), torch.cat([pv, v], dim=2)
        self.lengths[i] = n + t
        return self.layer(i)

    def reserve(self, total: int) -> "KVCache":
        """Switch to preallocated buffers holding `total` positions (in place); returns self."""
        for i in range(self.num_layers):
            if self.keys[i] is None or self.keys[i].shape[2] >= total:
                continue
            k, v = self.layer(i)
            b, h, n, d = k.shape
            kb = k.new_empty((b, h, total, d))
            vb = v.new_empty((b, h, total, d))
            kb[:, :, :n] = k
            vb[:, :, :n] = v
            self.keys[i], self.values[i] = kb, vb
        self.buffered = True
        return self

    def _map(self, fn: Callable[[Tensor], Tensor], keep_buffers: bool) -> "KVCache":
        c = KVCache(self.num_layers)
        for i in range(self.num_layers):
            if self.keys[i] is None:
                continue
            k, v = (self.keys[i], self.values[i]) if keep_buffers else self.layer(i)
            c.keys[i], c.values[i], c.lengths[i] = fn(k), fn(v), self.lengths[i]
        c.buffered = self.buffered and keep_buffers
        return c

    def repeat_interleave(self, n: int) -> "KVCache":
        """Each row repeated n times, prompt-major (row i -> rows i*n .. i*n+n-1)."""
        return self._map(lambda t: t.repeat_interleave(n, dim=0), keep_buffers=False)

    def select(self, indices) -> "KVCache":
        """Rows `indices` (a list or a LongTensor; repeats allowed), keeping preallocated capacity."""
        dev = self.keys[0].device if self.keys[0] is not None else None
        idx = torch.as_tensor(indices, dtype=torch.long, device=dev)
        return self._map(lambda t: t.index_select(0, idx), keep_buffers=True)
