"""One engine per key in a process; a forked child (a gunicorn worker) opens its own."""

from __future__ import annotations

import os

import sqlalchemy as sa

from dashboard.process_engines import ProcessEngines


def test_one_engine_per_key_and_a_forked_child_starts_with_none(tmp_path):
    engines = ProcessEngines()
    made = []

    def create():
        made.append(sa.create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"))
        return made[-1]

    first = engines.get("a", create)
    assert engines.get("a", create) is first and len(made) == 1
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: the parent's engine is forgotten, a new one is made
        fresh = engines.get("a", create)
        os.write(write, b"new" if fresh is not first and len(made) == 2 else b"old")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 3) == b"new"
    assert engines.get("a", create) is first  # the parent keeps its own
