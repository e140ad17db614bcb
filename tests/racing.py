"""Race real processes against one database: the proof that capacity rules hold.

Each racer is a fresh Python process (spawned, not forked) with its own app and connection pool,
released at the same moment by a barrier, so they really meet inside the database.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any

from digicoach import create_app
from digicoach.extensions import db

# Twenty spawned racers each import the app before the barrier: on a busy 2-core machine
# that alone took over two minutes once.
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


def race(
    count: int,
    target: Callable[..., str],
    *args: Any,
    config: dict[str, Any],
    instance_path: str,
) -> list[str]:
    """Run `target(index, *args)` in `count` processes at once; return their outcomes in order."""
    context = multiprocessing.get_context("spawn")
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
