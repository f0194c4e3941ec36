"""«Аптеки» renderer: notes for closed pharmacies and an all-unidentified period, four charts and the table."""

from __future__ import annotations

import dataclasses

from dashboard import ids
from layouts.pharmacies import render_pharmacies
from tests.support.components import figures, find, text


def test_notes_charts_and_the_table(services, full):
    view = services.pharmacies.view(full)
    body = render_pharmacies(view)
    assert len(figures(body)) == 4 and find(body, ids.PHARMACIES.TABLE) is not None
    assert "(видимо, закрыта): Аптека 6." in text(body) and "все доли равны 100" not in text(body)
    none_identified = render_pharmacies(dataclasses.replace(view, all_unidentified=True, closed_shops=[]))
    assert "все доли равны 100" in text(none_identified) and "закрыта" not in text(none_identified)
