"""The FTS5 reference over HTTP, for bench/http_shapes.py: GET /q/<i> answers the mix's query i
with `Fts5Search` (the same work as in process) as JSON: the total, the shown hits with their
highlighted title and snippet, every facet value's count and toggle link, and "did you mean",
as the product's /api/search sends its own. FTS5_DB names the database. One connection per
thread."""

from __future__ import annotations

import os
import threading

from flask import Flask, jsonify

from .fts5 import Fts5Search
from .queries import MIX

app = Flask(__name__)
_local = threading.local()


def _engine() -> Fts5Search:
    engine = getattr(_local, "engine", None)
    if engine is None:
        engine = _local.engine = Fts5Search(os.environ["FTS5_DB"])
    return engine


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@app.get("/q/<int:i>")
def query(i: int):
    return jsonify(_engine()(MIX[i]).__dict__)
