"""Tab «Кампании»'s renderers and the «Создать кампанию» form's components."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.campaigns import CONTROL, TARGET, Window, campaign_effect
from dashboard import ids
from dashboard.appdb.campaigns import Campaign
from dashboard.services.campaigns import CampaignReport, CampaignRow
from layouts import campaign_form, campaigns
from tests.support.components import find, text

CAMPAIGN = Campaign(
    1,
    "Весна",
    "duckdb:///x",
    "период …; регион 110",
    dt.date(2024, 1, 10),
    0.2,
    30,
    0.0,
    5,
    3,
    "anna",
    dt.datetime(2024, 1, 11, 9, 0),
)


def report(revenues_target, revenues_control, last=dt.date(2024, 3, 1)) -> CampaignReport:
    cards = [str(i) for i in range(len(revenues_target) + len(revenues_control))]
    members = pd.DataFrame(
        {"card": cards, "group": [TARGET] * len(revenues_target) + [CONTROL] * len(revenues_control)}
    )
    revenue = list(revenues_target) + list(revenues_control)
    per_card = pd.DataFrame({"card": cards, "purchases": [1 if r else 0 for r in revenue], "revenue": revenue})
    per_card = per_card[per_card["purchases"] > 0]
    effect = campaign_effect(members, per_card, Window(dt.date(2024, 1, 10), 30, last))
    return CampaignReport(CAMPAIGN, "finished", effect)


def test_the_report_shows_both_groups_the_verdict_and_the_small_control_warning():
    body, figure, count = campaigns.render_report(report([100, 0, 50], [0, 30]))
    assert "Целевая группа" in text(body) and "Контрольная группа" in text(body)
    assert "не доказан: интервал включает ноль" in text(find(body, ids.CAMPAIGNS.VERDICT))
    assert "меньше 100" in text(body) and "Дополнительная выручка" in text(body)
    assert len(figure.data) == 2 and all(trace.error_x.array is not None for trace in figure.data)
    assert "3 откликнувшихся клиента" in text(count)


def test_a_proven_effect_says_so():
    proven = report([100] * 300, [0] * 150 + [100] * 10)
    body, _figure, _count = campaigns.render_report(proven)
    assert "эффект доказан" in text(find(body, ids.CAMPAIGNS.VERDICT))
    assert "меньше 100" not in text(body)


def test_the_list_says_how_to_make_the_first_campaign_and_shows_the_status():
    empty, options = campaigns.render_list([])
    assert "Создайте первую на вкладке «Финал»" in text(empty) and options == []
    listed, options = campaigns.render_list([CampaignRow(CAMPAIGN, "partial")])
    assert "данные неполные" in text(listed) and "11.01.2024 — 09.02.2024" in text(listed)
    assert options == [{"label": "Весна", "value": "Весна"}]


def test_the_form_is_one_per_tab():
    final = campaign_form.modal("final")
    other = campaign_form.modal("history")
    assert find(final, ids.campaign_form("name", "final")) is not None
    assert find(other, ids.campaign_form("name", "history")) is not None
    assert find(final, ids.campaign_form("name", "history")) is None
    assert campaign_form.open_button("final").id == ids.campaign_form("open", "final")
