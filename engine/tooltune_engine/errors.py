"""Errors the engine raises on purpose.

Every error here is meant for a person: the message names the file, the field or tensor, and the fix. The server
maps them onto JSON-RPC error codes (`ModelError` -> BadModel); anything else reaching the server is a bug.
"""


class EngineError(Exception):
    """Base class of every error the engine raises deliberately (bad input, not a crash)."""


class ModelError(EngineError):
    """A model folder, config or checkpoint the engine cannot use: unknown model_type, wrong or missing tensor."""


class SafetensorsError(ModelError):
    """A malformed .safetensors file (bad header, offsets out of range, unknown dtype)."""
