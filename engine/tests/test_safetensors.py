import json
import os
import struct

import pytest
import torch

from tooltune_engine.errors import SafetensorsError
from tooltune_engine.safetensors_io import (read_folder, read_header, read_metadata, read_safetensors, write_folder,
                                            write_safetensors)


def _all_dtypes():
    g = torch.Generator().manual_seed(0)
    f = torch.randn(3, 5, generator=g)
    return {
        "f64": f.double() * 1e200,
        "f32": f,
        "f16": f.half(),
        "bf16": (f * 1e30).bfloat16(),  # bf16 keeps fp32's exponent range
        "i64": torch.tensor([-(2 ** 62), 0, 2 ** 62 + 7]),
        "i32": torch.tensor([[-(2 ** 31), 1], [2, 2 ** 31 - 1]], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
        "strided": f.t(),  # non-contiguous input is written in logical order
    }


def test_round_trip_every_dtype_exact(tmp_path):
    ts = _all_dtypes()
    p = str(tmp_path / "a.safetensors")
    write_safetensors(p, ts, metadata={"format": "pt"})
    back = read_safetensors(p)
    assert set(back) == set(ts)
    for k, t in ts.items():
        assert back[k].dtype == t.dtype, k
        assert back[k].shape == t.shape, k
        assert torch.equal(back[k], t), k
    assert read_metadata(p) == {"format": "pt"}
    # tensors own their memory: writing to one does not touch another
    back["f32"][0, 0] = 123.0
    assert back["f64"][0, 0] != 123.0


def test_layout_matches_the_spec(tmp_path):
    """8-byte LE header length, JSON header, data aligned to 8; offsets relative to the data start."""
    p = str(tmp_path / "b.safetensors")
    write_safetensors(p, {"x": torch.arange(3, dtype=torch.int32), "w": torch.ones(2, dtype=torch.float16)})
    raw = open(p, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert header["x"] == {"dtype": "I32", "shape": [3], "data_offsets": [4, 16]}  # sorted by name: "w" first
    assert header["w"] == {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}
    assert raw[8 + n + 4:8 + n + 16] == struct.pack("<3i", 0, 1, 2)


def test_reads_only_requested_names(tmp_path):
    p = str(tmp_path / "c.safetensors")
    write_safetensors(p, {"a": torch.ones(2), "b": torch.zeros(3)})
    assert list(read_safetensors(p, ["b"])) == ["b"]
    with pytest.raises(SafetensorsError, match="no tensor named 'zz'"):
        read_safetensors(p, ["zz"])


def _write_raw(path, header, data=b"", declared_len=None):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h) if declared_len is None else declared_len))
        f.write(h)
        f.write(data)


@pytest.mark.parametrize("header,data,declared,needle", [
    (None, None, None, "truncated file"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, 10_000, "runs past the end"),
    (b"{not json", b"", None, "not valid UTF-8 JSON"),
    ([1, 2], b"", None, "header must be a JSON object"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4, None, "out of range"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 4]}}, b"\0" * 8, None, "out of range"),
    ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, None, "needs 12"),
    ({"a": {"dtype": "Q4_K", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, None, "unknown or unsupported dtype 'Q4_K'"),
    ({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8, None, "non-negative integers"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, b"\0" * 8, None, "data_offsets must be"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12, None, "overlap"),
    ({"__metadata__": {"k": 1}}, b"", None, "'__metadata__' must map strings to strings"),
])
def test_malformed_files_are_clear_errors(tmp_path, header, data, declared, needle):
    p = str(tmp_path / "bad.safetensors")
    if header is None:
        open(p, "wb").write(b"\x01\x02\x03")
    else:
        _write_raw(p, header, data, declared)
    with pytest.raises(SafetensorsError) as e:
        read_safetensors(p)
    assert p in str(e.value)
    assert needle in str(e.value)


def test_truncated_real_file(tmp_path):
    p = str(tmp_path / "t.safetensors")
    write_safetensors(p, {"w": torch.randn(64, 64)})
    raw = open(p, "rb").read()
    open(p, "wb").write(raw[: len(raw) - 100])
    with pytest.raises(SafetensorsError, match="'w': data_offsets .* out of range"):
        read_safetensors(p)


def test_sharded_folder_round_trip(tmp_path):
    ts = {f"layer.{i}.weight": torch.randn(16, 16) for i in range(5)}
    write_folder(str(tmp_path), ts, max_shard_bytes=2 * 16 * 16 * 4)
    names = sorted(os.listdir(tmp_path))
    assert "model.safetensors.index.json" in names
    assert "model-00001-of-00003.safetensors" in names and "model-00003-of-00003.safetensors" in names
    back = read_folder(str(tmp_path))
    assert set(back) == set(ts) and all(torch.equal(back[k], ts[k]) for k in ts)


def test_index_refuses_paths_outside_the_folder(tmp_path):
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": "../etc/x.safetensors"}}))
    with pytest.raises(SafetensorsError, match="not a file name in this folder"):
        read_folder(str(tmp_path))


def test_index_missing_shard(tmp_path):
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": "s1.safetensors"}}))
    with pytest.raises(SafetensorsError, match="shard 's1.safetensors' is listed but missing"):
        read_folder(str(tmp_path))


def test_index_bad_json_names_line(tmp_path):
    (tmp_path / "model.safetensors.index.json").write_text('{\n  "weight_map": ,\n}')
    with pytest.raises(SafetensorsError, match="line 2, column"):
        read_folder(str(tmp_path))


def test_pickle_only_folder_is_refused(tmp_path):
    (tmp_path / "pytorch_model.bin").write_bytes(b"not read")
    with pytest.raises(SafetensorsError, match="never unpickles"):
        read_folder(str(tmp_path))


def test_header_reports_entries(tmp_path):
    p = str(tmp_path / "h.safetensors")
    write_safetensors(p, {"a": torch.zeros(2, 3, dtype=torch.bfloat16)})
    entries, meta, start = read_header(p)
    assert entries["a"][:2] == (torch.bfloat16, [2, 3]) and meta == {} and start % 8 == 0


def test_tensors_outlive_the_read_buffers(tmp_path):
    import gc
    p = str(tmp_path / "g.safetensors")
    src = torch.arange(100_000, dtype=torch.float32)
    write_safetensors(p, {"a": src})
    t = read_safetensors(p)["a"]
    gc.collect()
    junk = [bytearray(400_000) for _ in range(20)]  # reuse any freed memory
    assert torch.equal(t, src) and len(junk) == 20
