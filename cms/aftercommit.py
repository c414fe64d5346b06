"""Work that waits for the transaction to commit, the front-cache purge first.

A publish in Wagtail saves the page twice and starts, through the "default" task backend,
a search-index and a reference-index update on each save (a third of a publish's time for
the 信阳 plan page). None of it is needed to show the new page, so ``AfterCommitBackend``
runs those tasks after the commit, each once per transaction, and only after the new
content generation and the front-cache purge (``cms.invalidation``): the page is visible
while the indexes are updated.

``schedule(fn, key=..., first=...)`` registers ``fn`` with ``transaction.on_commit`` (it
runs at once outside a transaction). Everything scheduled in a transaction runs at the
first of its commit hooks: the ``first`` callables, then the rest, each key once; while a
request is served, the rest waits until its response has been sent. What a
rolled-back transaction scheduled is dropped; a rolled-back savepoint may leave a callable
that then runs with the rest: acceptable, since everything scheduled this way is safe to
repeat (a purge, an index refresh).
"""

import logging
import threading

from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django_tasks.backends.immediate import ImmediateBackend

logger = logging.getLogger(__name__)
_pending = threading.local()


def after_commit() -> bool:
    """True outside a transaction and while the commit's work runs."""
    return not connection.in_atomic_block or getattr(_pending, "running", False)


def schedule(fn, *, key=None, first=False) -> None:
    if after_commit():
        fn()
        return
    queue = _queue()
    if queue and not any(hook is _run_pending for _s, hook, _r in connection.run_on_commit):
        queue.clear()  # left by a transaction that was rolled back (its hooks are gone)
    key = key if key is not None else ("callable", id(fn))
    if key not in queue:
        queue[key] = (first, fn)
    transaction.on_commit(_run_pending)


def _queue() -> dict:
    if not hasattr(_pending, "queue"):
        _pending.queue = {}
    return _pending.queue


def _run_pending() -> None:
    queue, _pending.queue = _queue(), {}
    later = getattr(_pending, "later", None)  # a dict while a request is being served
    now = [fn for first, fn in queue.values() if first]  # the purge before the rest
    now += [fn for first, fn in queue.values() if not first and later is None]
    if later is not None:
        for key, (first, fn) in queue.items():
            if not first:
                later.setdefault(key, fn)
    _run(now)


def _run(callables) -> None:
    _pending.running = True
    try:
        for fn in callables:
            try:
                fn()
            except Exception:  # one failure must not keep the others from running
                logger.exception("after-commit work failed: %r", fn)
    finally:
        _pending.running = False


def _request_started(**kwargs) -> None:
    """In a request (an editor's publish: save_revision, then publish, two transactions)
    the work that is not ``first`` waits for the response to be sent, so no index update
    of the first transaction delays the purge of the second."""
    if getattr(_pending, "later", None):
        _request_finished()  # an earlier request ended without its signal: run its work now
    _pending.later = {}


def _request_finished(**kwargs) -> None:
    later = getattr(_pending, "later", None) or {}
    _pending.later = None
    _run(list(later.values()))


request_started.connect(_request_started, dispatch_uid="portal-aftercommit-started")
request_finished.connect(_request_finished, dispatch_uid="portal-aftercommit-finished")


class AfterCommitBackend(ImmediateBackend):
    """Django's immediate task backend, but a task enqueued inside a transaction runs after
    the commit (after the front-cache purge), once per identical call; its result stays
    READY until then."""

    def _execute_task(self, task_result) -> None:
        if after_commit():
            super()._execute_task(task_result)
            return
        task = task_result.task
        key = ("task", task.module_path, repr(task_result.args), repr(task_result.kwargs))
        schedule(lambda: super(AfterCommitBackend, self)._execute_task(task_result), key=key)
