"""The glossary's texts for codes: every known code explained, anything else empty."""

from __future__ import annotations

from core import glossary
from core.segments import CLUSTER_NAMES, REGION_NAMES


def test_grade_hints_name_the_grade_and_its_unit():
    assert glossary.grade_hint("r", 2).startswith("R 2 — спящий: дней от последней покупки")
    assert "покупок за базовый интервал" in glossary.grade_hint("f", "1")
    assert glossary.grade_hint("a", 4) == "" and glossary.grade_hint("m", "x") == ""


def test_class_hint_spells_out_the_four_digits():
    assert glossary.class_hint("1121") == "1121: R1 недавний · F1 частый · M2 средний_чек · A1 ветеран"
    assert glossary.class_hint("5121") == "" and glossary.class_hint("112") == ""


def test_every_cluster_and_region_has_a_hint():
    assert glossary.cluster_hint(21) == "21 — спящий VIP (регион 110 VIP)"
    assert all(glossary.cluster_hint(c) for c in CLUSTER_NAMES) and glossary.cluster_hint(99) == ""
    assert glossary.region_hint("510").startswith("510 — случайный гость, прогрев 5 холодные. «Холодная» аудитория")
    assert all(glossary.region_hint(r) for r in REGION_NAMES) and glossary.region_hint("abc") == ""
