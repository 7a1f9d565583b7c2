"""LSP framing: merged and split frames, bad headers, bad bodies, EOF; stdout hygiene."""
import io
import json
import os
import subprocess
import sys

from conftest import ENGINE_DIR
from tooltune_engine import protocol as P
from tooltune_engine.rpc import FrameError, FrameReader, FrameWriter, Message


def frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return b'Content-Length: %d\r\n\r\n' % len(body) + body


def req(i, method='initialize', params=None):
    return {'jsonrpc': '2.0', 'id': i, 'method': method, 'params': params or {}}


def read_all(data: bytes):
    r = FrameReader(io.BufferedReader(io.BytesIO(data)))
    out = []
    while True:
        m = r.read()
        if m is None:
            return out
        out.append(m)


def test_merged_frames_are_read_one_by_one():
    got = read_all(frame(req(1)) + frame(req(2, 'generate', {'n': 1})) + frame({'jsonrpc': '2.0', 'method': 'x'}))
    assert [type(m) for m in got] == [Message] * 3
    assert [m.id for m in got] == [1, 2, None] and got[1].params == {'n': 1}


def test_extra_headers_and_blank_lines_between_frames_are_tolerated():
    body = json.dumps(req(7)).encode()
    data = b'\r\n' + b'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n' % len(
        body) + body
    (m,) = read_all(data)
    assert isinstance(m, Message) and m.id == 7


def test_bad_headers_are_reported_and_reading_resumes():
    data = (b'hello there\r\n\r\n' + b'Content-Length: abc\r\n\r\n' + b'X-Other: 1\r\n\r\n' + frame(req(3)))
    got = read_all(data)
    assert [type(m) for m in got] == [FrameError, FrameError, FrameError, Message]
    assert all(m.code == P.PARSE_ERROR for m in got[:3])
    assert 'Content-Length' in got[0].message and 'abc' in got[1].message and 'missing' in got[2].message
    assert got[3].id == 3


def test_bad_bodies_give_parse_or_invalid_request_errors():
    bodies = [b'{not json', b'[1, 2]', json.dumps({'id': 4, 'method': 'x'}).encode(),
              json.dumps({'jsonrpc': '2.0', 'id': 5}).encode(), json.dumps({'jsonrpc': '2.0', 'id': [1],
                                                                              'method': 'x'}).encode(),
              b'\xff\xfe']
    data = b''.join(b'Content-Length: %d\r\n\r\n' % len(b) + b for b in bodies)
    got = read_all(data)
    assert [m.code for m in got] == [P.PARSE_ERROR, P.INVALID_REQUEST, P.INVALID_REQUEST, P.INVALID_REQUEST,
                                     P.INVALID_REQUEST, P.PARSE_ERROR]
    assert got[2].id == 4 and got[3].id == 5  # the id is echoed where it could be read


def test_eof_inside_a_frame_ends_the_stream():
    assert read_all(b'Content-Length: 100\r\n\r\n{"jsonrpc"') == []
    assert read_all(b'') == []


def test_writer_frames_and_survives_a_closed_pipe():
    buf = io.BytesIO()
    w = FrameWriter(buf)
    w.result(1, {'ok': True})
    w.notify('log', {'level': 'info', 'message': 'é'})
    got = read_all(buf.getvalue())
    assert got[1].method == 'log' and got[1].params['message'] == 'é'
    r, wfd = os.pipe()
    os.close(r)
    w2 = FrameWriter(os.fdopen(wfd, 'wb', buffering=0))
    w2.notify('log', {})  # EPIPE: marked closed, no exception
    assert w2.closed


def test_claim_stdout_sends_stray_output_to_stderr():
    code = ('import os, sys\nfrom tooltune_engine.rpc import claim_stdout, FrameWriter\n'
            'w = FrameWriter(claim_stdout())\nprint("stray print")\nos.write(1, b"C-level write\\n")\n'
            'w.result(1, {"ok": True})\n')
    r = subprocess.run([sys.executable, '-c', code], cwd=ENGINE_DIR, capture_output=True, timeout=30,
                       env={**os.environ, 'PYTHONPATH': ENGINE_DIR})
    header, _, body = r.stdout.partition(b'\r\n\r\n')
    assert json.loads(body) == {'jsonrpc': '2.0', 'id': 1, 'result': {'ok': True}}
    assert int(header.split(b':')[1]) == len(body)
    assert r.stdout.startswith(b'Content-Length: ') and b'stray' not in r.stdout
    assert b'stray print' in r.stderr and b'C-level write' in r.stderr
