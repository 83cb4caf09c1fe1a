"""``GET /api/ledger``: the sealed forecast ledger of the store the server was started with
(``summitry serve --db``): the last entries, the real-time and retrospective scores and
their reliability diagrams as plotly JSON (docs/questions.md, docs/web.md). Read only: the
dashboard never creates or writes a store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from summitry.web.errors import RequestError

router = APIRouter(prefix="/api")

SHOWN = 200
"""The last this many entries are sent (the count says how many there are)."""


@router.get("/ledger")
def get_ledger(request: Request) -> dict[str, Any]:
    """The ledger: ``store`` (its file, or null), ``count``, the last ``entries``, and per
    ``realtime``/``retrospective`` the ``scores`` and a reliability ``figures`` entry."""
    from summitry.report.ledger import reliability_figure
    from summitry.store import Store, StoreError
    from summitry.store.ledger import entries, score

    db = getattr(request.app.state, "ledger_db", None)
    out: dict[str, Any] = {
        "store": None if db is None else str(db),
        "count": 0,
        "entries": [],
        "scores": {},
        "figures": {},
    }
    if db is None or not Path(db).is_file():
        return out
    try:
        items = entries(Store(db, lock_timeout=5))
    except StoreError as err:
        raise RequestError("ledger", str(err), 503) from None
    out["count"] = len(items)
    out["entries"] = [e.to_dict() for e in items[-SHOWN:]]
    for which in ("realtime", "retrospective"):
        s = score(items, which)
        out["scores"][which] = s.to_dict()
        fig = reliability_figure(s)
        if fig is not None:
            out["figures"][which] = json.loads(fig.to_json())
    return out
