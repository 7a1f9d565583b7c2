"""JSON-RPC 2.0 with LSP framing (`Content-Length: N\\r\\n\\r\\n` + N bytes of UTF-8 JSON) over stdin/stdout.

Written by hand because the standard library has no LSP framing and the engine depends on torch only. The reader
never gives up on a bad frame: a bad header or a body that is not JSON is answered with a parse error (id null) and
reading resumes at the next header block, so one garbage write from a client does not kill the engine.

`claim_stdout()` moves the protocol onto a private duplicate of fd 1 and points fd 1 (and `sys.stdout`) at stderr,
so a stray `print` — ours, torch's, or a C library's — can never corrupt a frame.
"""
from __future__ import annotations

import io
import json
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO, Optional, Union

from . import protocol as P

MAX_MESSAGE_BYTES = 1 << 30  # 1 GiB: a generous ceiling that still refuses a corrupt length


@dataclass
class Message:
    """A well-formed request (id set) or notification (id None)."""
    method: str
    params: Any
    id: Optional[Union[int, str]]


@dataclass
class FrameError:
    """A frame the reader could not use; the server answers it with `code` and carries on."""
    code: int
    message: str
    id: Optional[Union[int, str]] = None


class FrameReader:
    """Reads LSP-framed JSON-RPC messages from a binary stream. `read()` returns a Message, a FrameError, or None at
    end of input (the parent closed the pipe or died)."""

    def __init__(self, stream: BinaryIO):
        self._s = stream

    def _header_block(self) -> Optional[dict]:
        headers: dict = {}
        saw_any = False
        while True:
            line = self._s.readline(65536)
            if not line:
                return None if not saw_any else headers
            if line in (b'\r\n', b'\n'):
                if not saw_any:
                    continue  # tolerate blank lines between frames
                return headers
            saw_any = True
            text = line.decode('ascii', errors='replace').strip()
            name, sep, value = text.partition(':')
            if not sep:
                headers.setdefault('__bad__', text)
                continue
            headers[name.strip().lower()] = value.strip()

    def read(self) -> Optional[Union[Message, FrameError]]:
        headers = self._header_block()
        if headers is None:
            return None
        if '__bad__' in headers and 'content-length' not in headers:
            return FrameError(P.PARSE_ERROR, f'bad header line {headers["__bad__"][:80]!r}: expected '
                                             '"Content-Length: <bytes>" followed by an empty line')
        raw = headers.get('content-length')
        if raw is None:
            return FrameError(P.PARSE_ERROR, 'missing Content-Length header')
        try:
            length = int(raw)
            if length < 0 or length > MAX_MESSAGE_BYTES:
                raise ValueError
        except ValueError:
            return FrameError(P.PARSE_ERROR, f'bad Content-Length {raw[:40]!r}: expected a byte count')
        body = self._read_exact(length)
        if body is None:
            return None
        return parse_body(body)

    def _read_exact(self, n: int) -> Optional[bytes]:
        chunks = []
        left = n
        while left > 0:
            b = self._s.read(left)
            if not b:
                return None  # EOF in the middle of a frame: the client is gone
            chunks.append(b)
            left -= len(b)
        return b''.join(chunks)


def parse_body(body: bytes) -> Union[Message, FrameError]:
    try:
        obj = json.loads(body.decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return FrameError(P.PARSE_ERROR, f'message body is not valid JSON: {e}')
    if not isinstance(obj, dict):
        return FrameError(P.INVALID_REQUEST, 'expected a JSON-RPC request object (batches are not supported)')
    mid = obj.get('id')
    if mid is not None and (isinstance(mid, bool) or not isinstance(mid, (int, str))):
        return FrameError(P.INVALID_REQUEST, f'"id" must be a number or a string, got {mid!r}')
    if obj.get('jsonrpc') != '2.0':
        return FrameError(P.INVALID_REQUEST, 'missing "jsonrpc": "2.0"', mid)
    method = obj.get('method')
    if not isinstance(method, str):
        if 'result' in obj or 'error' in obj:
            return FrameError(P.INVALID_REQUEST, 'the engine sends no requests, so it expects no responses', None)
        return FrameError(P.INVALID_REQUEST, 'missing "method" (a string)', mid)
    params = obj.get('params', {})
    if params is None:
        params = {}
    return Message(method=method, params=params, id=mid)


class FrameWriter:
    """Writes LSP-framed JSON messages; safe to call from several threads (log notifications come from anywhere)."""

    def __init__(self, stream: BinaryIO):
        self._s = stream
        self._lock = threading.Lock()
        self.closed = False

    def send(self, obj: dict) -> None:
        body = json.dumps(obj, separators=(',', ':'), allow_nan=False).encode('utf-8')
        frame = b'Content-Length: ' + str(len(body)).encode('ascii') + b'\r\n\r\n' + body
        with self._lock:
            if self.closed:
                return
            try:
                self._s.write(frame)
                self._s.flush()
            except (BrokenPipeError, OSError, ValueError):
                # The client went away; the reader will see EOF and the engine will exit.
                self.closed = True

    def result(self, mid: Any, result: Any) -> None:
        self.send({'jsonrpc': '2.0', 'id': mid, 'result': result})

    def error(self, mid: Any, code: int, message: str, data: Any = None) -> None:
        err: dict = {'code': code, 'message': message}
        if data is not None:
            err['data'] = data
        self.send({'jsonrpc': '2.0', 'id': mid, 'error': err})

    def notify(self, method: str, params: Any) -> None:
        self.send({'jsonrpc': '2.0', 'method': method, 'params': params})


def claim_stdout() -> BinaryIO:
    """Return a private binary stream on the original stdout and send everything else written to fd 1 to stderr."""
    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(os.dup(2), 'wb', buffering=0), write_through=True)
    return os.fdopen(proto_fd, 'wb', buffering=0)
