"""«Миграция»'s placebo check as the callback renders it."""

from __future__ import annotations

from callbacks.migration import MigrationCallbacks
from dashboard import ids
from tests.support.components import find, text
from tests.support.dashboard import FULL, HALF


def test_the_placebo_sits_beside_the_migration_with_differences_and_a_verdict(services):
    card = MigrationCallbacks(services).placebo(ids.TAB_MIGRATION, "2022-03-01", *FULL, None)
    words = text(card)
    for label in ("Потеплели", "Остались", "Остыли", "Факт", "Плацебо", "Разница", "95% интервал"):
        assert label in words
    verdict = text(find(card, ids.PLACEBO.VERDICT))
    assert verdict.startswith("Миграция") and ("не отличается" in verdict or "отличается" in verdict)


def test_unavailable_hidden_and_bad_dates(services):
    callbacks = MigrationCallbacks(services)
    early = callbacks.placebo(ids.TAB_MIGRATION, "2021-08-01", *FULL, None)
    assert "недоступна" in text(find(early, ids.PLACEBO.VERDICT)) and "Факт" not in text(early)
    assert callbacks.placebo(ids.TAB_FINAL, "2022-03-01", *FULL, None) is None
    assert callbacks.placebo(ids.TAB_MIGRATION, "2021-03-01", *HALF, None) is None  # the body says why


def test_a_small_placebo_is_flagged(services):
    import dataclasses

    from dashboard.services.migration import PlaceboView
    from layouts.migration import render_placebo

    view = services.migration.placebo(services.requests.build(*FULL), "2022-03-01")
    small = dataclasses.replace(
        view, warnings=("В плацебо 4 клиента, бывших до бонус-даты (меньше 100): вывод ненадёжен.",)
    )
    assert isinstance(small, PlaceboView) and "вывод ненадёжен" in text(render_placebo(small))
