"""Defence in depth for the guard: a worker that serves the embedded store cannot open an IP socket.

pyoxigraph evaluates SERVICE (and LOAD) with its own Rust HTTP client, which no Python hook can see. When
outbound SERVICE is off and the store is local, a serving worker has no reason to create an ``AF_INET`` /
``AF_INET6`` socket (it answers on the connection gunicorn accepted from the inherited listener), so a seccomp
filter installed right after the fork makes ``socket(AF_INET*, …)`` fail with EPERM for the rest of the
worker's life: even a query the guard misread cannot reach the network (DNS lookups fail the same way).

Uses libseccomp (the system library behind Docker's and systemd's filters) through ctypes; where it is
missing (not Linux) the worker logs that it runs without the filter.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import socket

log = logging.getLogger("mscpo.outbound")

_ACT_ALLOW = 0x7FFF0000
_ACT_ERRNO = 0x00050000
_CMP_EQ = 4


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def forbid_ip_sockets() -> bool:
    """Install the filter in this process (irreversible); True when it is in place."""
    name = ctypes.util.find_library("seccomp")
    if name is None:
        log.warning("libseccomp not found: this worker runs without the no-outbound-socket filter")
        return False
    lib = ctypes.CDLL(name, use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        log.warning("seccomp_init failed: this worker runs without the no-outbound-socket filter")
        return False
    try:
        number = lib.seccomp_syscall_resolve_name(b"socket")
        for family in (socket.AF_INET, socket.AF_INET6):
            rule = (_ArgCmp * 1)(_ArgCmp(0, _CMP_EQ, int(family), 0))
            if lib.seccomp_rule_add_array(ctx, _ACT_ERRNO | errno.EPERM, number, 1, rule) != 0:
                log.warning("seccomp rule refused: this worker runs without the no-outbound-socket filter")
                return False
        if lib.seccomp_load(ctx) != 0:
            log.warning("seccomp_load failed: this worker runs without the no-outbound-socket filter")
            return False
    finally:
        lib.seccomp_release(ctx)
    return True
