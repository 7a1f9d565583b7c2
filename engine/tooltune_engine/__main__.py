"""`python -m tooltune_engine`: serve the engine protocol on stdin/stdout (see server.py and protocol.py).

Under `torchrun --nproc_per_node N -m tooltune_engine`, rank 0 speaks the protocol and the other ranks follow.
"""
import sys

from .server import main

if __name__ == '__main__':
    sys.exit(main())
