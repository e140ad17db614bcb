"""Race real processes against one database: the proof that capacity rules hold.

Each racer is a fresh process with its own app and connection pool, released at the same moment
by a barrier, so they really meet inside the database.

Racers come from a fork server that imported digicoach once: forking the test process itself
would copy its threads (the SMTP sink, the live server) and open connections, and spawning
made every racer import the whole app again, which was most of each race test's minute.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any

from digicoach import create_app
from digicoach.extensions import db

# Twenty racers each build their app before the barrier; on a busy 2-core machine spawned
# racers (importing the app each) once took over two minutes for that alone.
RACE_TIMEOUT_SECONDS = 300


def _racer(
    index: int,
    config: dict[str, Any],
    instance_path: str,
    target: Callable[..., str],
    args: tuple[Any, ...],
    barrier: Any,
    results: Any,
) -> None:
    os.environ["DIGICOACH_INSTANCE_PATH"] = instance_path
    try:
        app = create_app("testing", **config)
        with app.app_context():
            db.session.connection()  # connect before the start signal
            db.session.rollback()
            barrier.wait(timeout=RACE_TIMEOUT_SECONDS)
            outcome = target(index, *args)
            db.session.remove()
            db.engine.dispose()
    except Exception:
        outcome = "error: " + traceback.format_exc(limit=8)
    results.put((index, outcome))


# Imported once by the fork server; every racer then starts with them loaded.
PRELOADED_MODULES = ["tests.racing", "tests.racing_warmup"]


def _racer_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context


def race(
    count: int,
    target: Callable[..., str],
    *args: Any,
    config: dict[str, Any],
    instance_path: str,
) -> list[str]:
    """Run `target(index, *args)` in `count` processes at once; return their outcomes in order."""
    context = _racer_context()
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(
            target=_racer,
            args=(index, config, instance_path, target, args, barrier, results),
        )
        for index in range(count)
    ]
    for process in processes:
        process.start()
    outcomes: dict[int, str] = {}
    for _ in processes:
        index, outcome = results.get(timeout=RACE_TIMEOUT_SECONDS)
        outcomes[index] = outcome
    for process in processes:
        process.join(timeout=RACE_TIMEOUT_SECONDS)
    return [outcomes[index] for index in range(count)]
