"""Reading and writing the safetensors format, by hand, with torch only.

Why by hand: the `safetensors` package is not available to the engine (torch is its only dependency), and the format
is small: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
`{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the byte after the header) plus an optional
`"__metadata__"` string map, then the raw little-endian tensor bytes. Nothing is ever unpickled.

Every malformed file is a `SafetensorsError` naming the file, the tensor and what is wrong.
"""
from __future__ import annotations

import ctypes
import json
import os
import struct
import sys
import tempfile
import warnings
from typing import Dict, Iterable, Optional

import torch

from .errors import SafetensorsError

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
# fp8 exists only in newer torch; add it where present.
for _name, _attr in (("F8_E4M3", "float8_e4m3fn"), ("F8_E5M2", "float8_e5m2")):
    if hasattr(torch, _attr):
        _DTYPES[_name] = getattr(torch, _attr)
_NAMES = {v: k for k, v in _DTYPES.items()}

# A header larger than this is not a model header; refuse rather than allocate (the reference reader uses 100 MB).
MAX_HEADER_BYTES = 100 * 1024 * 1024

if sys.byteorder != "little":  # pragma: no cover - every platform torch ships for is little-endian
    raise ImportError("tooltune_engine.safetensors_io assumes a little-endian host")


def _itemsize(dtype: torch.dtype) -> int:
    return torch.empty((), dtype=dtype).element_size()


def read_header(path: str) -> tuple:
    """Parse and validate the header: returns (entries {name: (dtype, shape, begin, end)}, metadata, data_start)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise SafetensorsError(f"{path}: truncated file ({size} bytes); a safetensors file starts with an "
                                       "8-byte header length. Re-download or re-save the file.")
            (n,) = struct.unpack("<Q", head)
            if n > size - 8:
                raise SafetensorsError(f"{path}: header length {n} runs past the end of the file ({size} bytes); "
                                       "the file is truncated or not a safetensors file")
            if n > MAX_HEADER_BYTES:
                raise SafetensorsError(f"{path}: header length {n} exceeds {MAX_HEADER_BYTES} bytes; "
                                       "not a safetensors file")
            raw = f.read(n)
    except OSError as e:
        raise SafetensorsError(f"{path}: cannot read: {e.strerror or e}") from e
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not valid UTF-8 JSON ({e}); the file is corrupt") from e
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header must be a JSON object, got {type(header).__name__}")

    data_start = 8 + n
    data_len = size - data_start
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise SafetensorsError(f"{path}: '__metadata__' must map strings to strings")

    entries = {}
    for name, info in header.items():
        where = f"{path}: tensor {name!r}"
        if not isinstance(info, dict):
            raise SafetensorsError(f"{where}: entry must be an object with dtype, shape, data_offsets")
        dt = info.get("dtype")
        if dt not in _DTYPES:
            raise SafetensorsError(f"{where}: unknown or unsupported dtype {dt!r} "
                                   f"(supported: {', '.join(sorted(_DTYPES))})")
        shape = info.get("shape")
        if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                  for s in shape):
            raise SafetensorsError(f"{where}: shape must be a list of non-negative integers, got {shape!r}")
        offs = info.get("data_offsets")
        if (not isinstance(offs, list) or len(offs) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) for o in offs)):
            raise SafetensorsError(f"{where}: data_offsets must be [begin, end], got {offs!r}")
        begin, end = offs
        if not 0 <= begin <= end <= data_len:
            raise SafetensorsError(f"{where}: data_offsets [{begin}, {end}] are out of range; the data section "
                                   f"holds {data_len} bytes (file truncated or header corrupt)")
        numel = 1
        for s in shape:
            numel *= s
        want = numel * _itemsize(_DTYPES[dt])
        if end - begin != want:
            raise SafetensorsError(f"{where}: data_offsets span {end - begin} bytes but {dt} {shape} needs {want}")
        entries[name] = (_DTYPES[dt], shape, begin, end)

    # Tensors must not overlap (the format forbids it; overlapping entries mean a corrupt or crafted header).
    spans = sorted((b, e, k) for k, (_, _, b, e) in entries.items() if e > b)
    for (b0, e0, k0), (b1, _, k1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise SafetensorsError(f"{path}: tensors {k0!r} and {k1!r} overlap in the data section")
    return entries, metadata or {}, data_start


def read_safetensors(path: str, names: Optional[Iterable[str]] = None) -> Dict[str, torch.Tensor]:
    """Load every tensor (or only `names`) of one file into owned CPU tensors."""
    entries, _, data_start = read_header(path)
    wanted = entries.keys() if names is None else list(names)
    out: Dict[str, torch.Tensor] = {}
    with open(path, "rb") as f:
        for name in wanted:
            if name not in entries:
                raise SafetensorsError(f"{path}: no tensor named {name!r}")
            dtype, shape, begin, end = entries[name]
            if end == begin:
                out[name] = torch.empty(shape, dtype=dtype)
                continue
            # Read straight into a bytearray (one copy, owned, aligned, writable); the tensor keeps it alive.
            buf = bytearray(end - begin)
            f.seek(data_start + begin)
            if f.readinto(buf) != len(buf):
                raise SafetensorsError(f"{path}: tensor {name!r}: file ended early (truncated while reading?)")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = torch.frombuffer(buf, dtype=dtype)
            out[name] = t.reshape(shape)
    return out


def read_metadata(path: str) -> dict:
    return read_header(path)[1]


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().to("cpu").contiguous()
    n = t.numel() * t.element_size()
    # ctypes instead of numpy: numpy is not a dependency and has no bfloat16.
    return ctypes.string_at(t.data_ptr(), n) if n else b""


def write_safetensors(path: str, tensors: Dict[str, torch.Tensor], metadata: Optional[dict] = None) -> None:
    """Write `tensors` to `path` atomically (temp file in the same folder, then rename)."""
    header: dict = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError(f"{path}: metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    offset = 0
    order = sorted(tensors)
    for name in order:
        t = tensors[name]
        if not isinstance(t, torch.Tensor):
            raise SafetensorsError(f"{path}: value for {name!r} is not a tensor")
        if t.dtype not in _NAMES:
            raise SafetensorsError(f"{path}: tensor {name!r} has dtype {t.dtype}, which safetensors cannot store here")
        n = t.numel() * t.element_size()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # pad so the data section starts 8-byte aligned, as the reference writer does
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for name in order:
                f.write(_tensor_bytes(tensors[name]))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---- sharded checkpoints (model.safetensors.index.json) ---------------------------------------------------------
INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"


def read_index(folder: str) -> Dict[str, str]:
    """tensor name -> shard path, from `model.safetensors.index.json`, with every shard checked to be in `folder`."""
    path = os.path.join(folder, INDEX_NAME)
    try:
        with open(path, "r", encoding="utf-8") as f:
            index = json.load(f)
    except OSError as e:
        raise SafetensorsError(f"{path}: cannot read: {e.strerror or e}") from e
    except json.JSONDecodeError as e:
        raise SafetensorsError(f"{path}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
    wm = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(wm, dict) or not wm:
        raise SafetensorsError(f"{path}: field 'weight_map' must be a non-empty object of tensor name -> shard file")
    out = {}
    for name, shard in wm.items():
        # A shard name is a plain file name: refuse paths that would read outside the model folder.
        if not isinstance(shard, str) or os.path.basename(shard) != shard or shard in ("", ".", ".."):
            raise SafetensorsError(f"{path}: weight_map[{name!r}] = {shard!r} is not a file name in this folder")
        out[name] = os.path.join(folder, shard)
    return out


def read_folder(folder: str) -> Dict[str, torch.Tensor]:
    """All tensors of a HF model folder: `model.safetensors`, or the shards listed by the index."""
    single = os.path.join(folder, SINGLE_NAME)
    if os.path.exists(os.path.join(folder, INDEX_NAME)):
        wm = read_index(folder)
        by_file: Dict[str, list] = {}
        for name, shard in wm.items():
            by_file.setdefault(shard, []).append(name)
        out: Dict[str, torch.Tensor] = {}
        for shard, names in sorted(by_file.items()):
            if not os.path.exists(shard):
                raise SafetensorsError(f"{os.path.join(folder, INDEX_NAME)}: shard {os.path.basename(shard)!r} "
                                       "is listed but missing; download every shard of the checkpoint")
            out.update(read_safetensors(shard, names))
        return out
    if os.path.exists(single):
        return read_safetensors(single)
    if any(n.endswith((".bin", ".pt", ".pth")) for n in os.listdir(folder)):
        raise SafetensorsError(f"{folder}: only pickle weights (.bin/.pt) found; ToolTune never unpickles. "
                               "Convert the checkpoint to safetensors (e.g. save_pretrained(safe_serialization=True)).")
    raise SafetensorsError(f"{folder}: no {SINGLE_NAME} or {INDEX_NAME} found")


def write_folder(folder: str, tensors: Dict[str, torch.Tensor], metadata: Optional[dict] = None,
                 max_shard_bytes: Optional[int] = None) -> None:
    """Write tensors as `model.safetensors`, or as shards plus an index when they exceed `max_shard_bytes`."""
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    if not max_shard_bytes or total <= max_shard_bytes:
        write_safetensors(os.path.join(folder, SINGLE_NAME), tensors, metadata)
        return
    shards: list = [[]]
    size = 0
    for name in sorted(tensors):
        n = tensors[name].numel() * tensors[name].element_size()
        if shards[-1] and size + n > max_shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append(name)
        size += n
    weight_map = {}
    for i, names in enumerate(shards):
        fname = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(folder, fname), {k: tensors[k] for k in names}, metadata)
        weight_map.update({k: fname for k in names})
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    with open(os.path.join(folder, INDEX_NAME), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2, sort_keys=True)
