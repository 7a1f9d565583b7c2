"""Shared fixtures for the engine tests: a tiny real model, a naive log-prob reference, and an engine subprocess
client speaking the real framed protocol. Tests use real (tiny) models and real files, never mocks of our code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, List, Optional

import pytest
import torch

ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ENGINE_DIR not in sys.path:
    sys.path.insert(0, ENGINE_DIR)

# A qwen3-shaped model small enough that a train step takes milliseconds.
TINY_CONFIG = {
    'model_type': 'qwen3', 'vocab_size': 64, 'hidden_size': 16, 'intermediate_size': 32, 'num_hidden_layers': 2,
    'num_attention_heads': 2, 'num_key_value_heads': 1, 'head_dim': 8, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0,
    'max_position_embeddings': 256, 'tie_word_embeddings': True, 'eos_token_id': 1, 'bos_token_id': None,
}


@pytest.fixture
def tiny_config():
    return dict(TINY_CONFIG)


def make_tiny_model(seed: int = 0, config: Optional[dict] = None):
    from tooltune_engine.config import ModelConfig
    from tooltune_engine.model import init_model
    cfg = ModelConfig.from_dict(dict(config or TINY_CONFIG))
    model = init_model(cfg, seed=seed)
    for p in model.parameters():
        p.requires_grad_(True)
    return model, cfg


def naive_logprobs(model, prompt_ids: List[int], completions: List[List[int]], temperature: float = 1.0,
                   with_entropy: bool = False):
    """The obvious way: one full forward per sequence and a full log-softmax. The reference the shared-prefix and
    micro-batched paths must agree with."""
    out, ents = [], []
    for c in completions:
        ids = torch.tensor([list(prompt_ids) + list(c)])
        hidden, _ = model.forward_hidden(ids)
        logits = model.head(hidden[0, len(prompt_ids) - 1:-1]).float() / temperature
        lp = torch.log_softmax(logits, -1)
        out.append(lp.gather(-1, torch.tensor(c)[:, None]).squeeze(-1))
        ents.append(-(lp.exp() * lp).sum(-1))
    return out, (ents if with_entropy else None)


class EngineProcess:
    """`python -m tooltune_engine` as a child process, spoken to with real Content-Length frames."""

    def __init__(self, extra_env: Optional[dict] = None, argv: Optional[List[str]] = None):
        env = dict(os.environ)
        env['PYTHONPATH'] = ENGINE_DIR
        env.update(extra_env or {})
        self.proc = subprocess.Popen(argv or [sys.executable, '-m', 'tooltune_engine'], cwd=ENGINE_DIR, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.next_id = 1
        self.notifications: List[dict] = []

    def write_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj: dict) -> None:
        body = json.dumps(obj).encode()
        self.write_raw(b'Content-Length: %d\r\n\r\n' % len(body) + body)

    def read_message(self) -> dict:
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError('engine closed stdout; stderr:\n' + self.stderr_text())
            if line in (b'\r\n', b'\n'):
                if length is not None:
                    break
                continue
            name, _, value = line.decode().partition(':')
            if name.strip().lower() == 'content-length':
                length = int(value)
        body = self.proc.stdout.read(length)
        return json.loads(body)

    def read_response(self, mid: Any = None) -> dict:
        while True:
            msg = self.read_message()
            if 'method' in msg and 'id' not in msg:
                self.notifications.append(msg)
                continue
            if mid is None or msg.get('id') == mid:
                return msg

    def request(self, method: str, params: Any = None) -> dict:
        mid = self.next_id
        self.next_id += 1
        self.send({'jsonrpc': '2.0', 'id': mid, 'method': method, 'params': params if params is not None else {}})
        return self.read_response(mid)

    def ok(self, method: str, params: Any = None) -> Any:
        r = self.request(method, params)
        assert 'error' not in r, f'{method} failed: {r["error"]}'
        return r['result']

    def stderr_text(self) -> str:
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            return self.proc.stderr.read().decode(errors='replace')[-4000:]
        except (OSError, ValueError):
            return ''

    def wait(self, timeout: float = 20.0) -> int:
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                s.close()
            except (BrokenPipeError, OSError):
                pass


@pytest.fixture
def engine():
    e = EngineProcess()
    yield e
    e.close()


def wait_for(pred, timeout: float = 10.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False
