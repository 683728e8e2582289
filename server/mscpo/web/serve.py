"""``mscpo serve``: load the dataset once, then serve it with gunicorn's pre-forked sync workers.

Sync workers take one request at a time and only accept when idle, so a slow query occupies exactly one
process and the kernel hands new connections to the others; that same isolation lets a worker end itself at a
query deadline without touching anyone else's request (see ``mscpo.sparql.execute``).
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from mscpo import config, paths
from mscpo.web import admission, outbound, worker
from mscpo.web.app import create_app
from mscpo.web.endpoint import SparqlEndpoint

log = logging.getLogger("mscpo.serve")


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn driven programmatically: our options only, no config file or command line of its own."""

    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def gunicorn_options(settings: config.Settings) -> dict[str, Any]:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.effective_workers,
        "worker_class": "mscpo.web.worker.ReadDeadlineWorker",
        "preload_app": True,
        # gunicorn's own kill is only a backstop: the query and write deadlines end a worker first, with a 503.
        "timeout": int(max(settings.query_timeout, settings.write_timeout)) + 30,
        "graceful_timeout": 5,
        # A request line past 8190 bytes (gunicorn's maximum) is refused at once instead of holding a worker
        # while it arrives; longer queries are POSTed (every federating engine switches to POST far below).
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level,
        "proc_name": "mscpo-serve",
        "control_socket_disable": True,
    }


def _exit_now(server: Any, worker: Any) -> None:
    """gunicorn's last hook in a worker: leave without Python's finalizers.

    A worker that read an on-disk store crashed (SIGSEGV) while its RocksDB handle was torn down at interpreter
    exit, in a process forked from a master that had used RocksDB too; a read-only handle has nothing to flush.
    """
    logging.shutdown()
    os._exit(0)


def _no_outbound(server: Any, worker: Any) -> None:
    """gunicorn's first hook in a new worker: no IP sockets from here on (see ``mscpo.web.outbound``)."""
    if outbound.forbid_ip_sockets():
        log.info("worker %d: outbound IP sockets are blocked (federation off, local store)", os.getpid())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    config.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    settings = config.load(args)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    paths.configure(home=settings.home, reference=settings.reference)
    paths.require_shapes()
    log.info("settings: %s", settings.summary())
    from mscpo.web import metrics  # (here: the import block is shared with other changes)

    metrics.prepare_multiprocess()  # before the app creates its metrics: every worker writes its own file
    app = create_app(settings)
    paths.require_dataset(app.extensions["mscpo"].report.total)
    log.info("SPARQL endpoint %s with %d workers", settings.endpoint_url, settings.effective_workers)
    options = gunicorn_options(settings)
    options["child_exit"] = metrics.child_exit
    if settings.store:
        options["worker_exit"] = _exit_now
    endpoint = app.wsgi_app
    if isinstance(endpoint, SparqlEndpoint):
        endpoint.admission = admission.Admission(settings.effective_workers)
    worker.prepare()  # before the fork: the socket busy workers hand their idle connections to
    if (
        isinstance(endpoint, SparqlEndpoint)
        and not endpoint.federation.enabled
        and not endpoint.backend.remote
    ):
        options["post_fork"] = _no_outbound
    _Gunicorn(app, options).run()
    return 0
