"""«Создать кампанию» and tab «Кампании» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

from flask import g

from callbacks.campaign_form import CampaignFormCallbacks
from callbacks.campaigns import CampaignsCallbacks
from callbacks.final import final_selection
from dashboard import ids
from dashboard.services.access import IDENTITY_KEY, Identity
from tests.support.components import find, text
from tests.support.dashboard import FULL

# «Финал»'s form states: period, pins, then selection, shops, r, f, m, a, card text, the grid's filter model
FINAL_STATE = ("2021-07-01", "2022-03-31", None, "r110", None, None, None, None, None, None, None)


def test_the_form_opens_with_the_global_control_note_and_closes(services):
    form = CampaignFormCallbacks(services, final_selection)
    is_open, note, message = form.toggle(1, None, False)
    assert is_open is True and "Глобальная контрольная группа не задана" in str(note) and message is None
    services.campaigns.store.set_global_share(0.05, "admin")
    assert "5,0" in form.toggle(2, None, False)[1]
    assert form.toggle(3, None, True)[0] is False


def test_create_stores_the_campaign_and_starts_the_target_download(services):
    form = CampaignFormCallbacks(services, final_selection)
    link, message = form.create(1, "Весна", 10, 30, *FINAL_STATE)
    assert "download/clients.csv?token=" in link and "Кампания «Весна» создана" in text(message)
    again_link, again = form.create(2, "Весна", 10, 30, *FINAL_STATE)
    assert type(again_link).__name__ == "NoUpdate" and "уже есть" in text(again)
    empty = form.create(3, "Пусто", 10, 30, *FINAL_STATE[:3], "k4333", *FINAL_STATE[4:])
    assert "нет клиентов" in text(empty[1])
    assert [c.name for c in services.campaigns.store.all()] == ["Весна"]


def test_a_viewer_is_refused_and_nothing_is_stored(services):
    setattr(g, IDENTITY_KEY, Identity("vera", "viewer"))
    link, message = CampaignFormCallbacks(services, final_selection).create(1, "Весна", 10, 30, *FINAL_STATE)
    assert type(link).__name__ == "NoUpdate" and "создавать кампании могут менеджер и администратор" in text(message)
    assert services.campaigns.store.all() == []


def test_the_tab_lists_campaigns_and_reports_the_picked_one(services):
    tab = CampaignsCallbacks(services)
    body, options, value = tab.update_list(ids.TAB_CAMPAIGNS, *FULL, None, None)
    assert "Кампаний пока нет" in text(body) and options == [] and type(value).__name__ == "NoUpdate"
    CampaignFormCallbacks(services, final_selection).create(1, "Весна", 10, 30, *FINAL_STATE)
    hidden = tab.update_list(ids.TAB_FINAL, *FULL, None, None)
    assert all(type(part).__name__ == "NoUpdate" for part in hidden)
    body, options, value = tab.update_list(ids.TAB_CAMPAIGNS, *FULL, None, None)
    assert "Весна" in text(body) and "окно завершено" in text(body) and value == "Весна"
    report, figure, count = tab.update_report("Весна", ids.TAB_CAMPAIGNS, *FULL, None)
    assert "Целевая группа" in text(report) and "Контрольная группа" in text(report)
    assert find(report, ids.CAMPAIGNS.VERDICT) is not None and "Вердикт" in text(report)
    assert "меньше 100" in text(report)  # region 110's control group is small
    assert [trace.error_x.type for trace in figure.data] == ["data", "data"]
    assert "откликнувш" in text(count)
    page = tab.responder_rows({"startRow": 0, "endRow": 50}, ids.TAB_CAMPAIGNS, "Весна", *FULL, None)
    assert page["rowCount"] > 0 and set(page["rowData"][0]) >= {"card", "group", "purchases", "revenue"}
    link, note = tab.download_csv(1, "Весна", *FULL, None, None)
    assert "token=" in link and "responders" in text(note)


def test_a_missing_campaign_is_a_message(services):
    report, _figure, _count = CampaignsCallbacks(services).update_report("Нет такой", ids.TAB_CAMPAIGNS, *FULL, None)
    assert "Выберите кампанию в списке" in text(report)
