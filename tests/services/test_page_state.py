"""The page's state read from its address: valid values kept, anything else dropped for its default."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from dashboard import ids
from dashboard.services.page_state import PageState, page_query, read_page_state, referrer_args

BOUNDS = ("2021-07-01", "2022-06-30")


def test_a_full_link_is_read_back():
    args = MultiDict(
        [
            ("tab", "final"),
            ("from", "2022-01-01"),
            ("to", "2022-03-31"),
            ("segment", "r110"),
            ("shop", "Аптека 11"),
            ("shop", "Аптека 2"),
            ("r", "2,1"),
            ("a", "3"),
        ]
    )
    state = read_page_state(args, BOUNDS)
    assert state == PageState(
        ids.TAB_FINAL, "2022-01-01", "2022-03-31", "r110", ("Аптека 11", "Аптека 2"), {"r": (1, 2), "a": (3,)}
    )
    assert state.grade("r") == [1, 2] and state.grade("f") is None
    assert read_page_state(MultiDict(referrer_args("http://h/?" + page_query(state)[1:])), BOUNDS) == state


def test_no_address_opens_all_data_on_the_first_tab():
    assert read_page_state({}, BOUNDS) == PageState(ids.TAB_CLIENTS, *BOUNDS)
    assert read_page_state({}, None) == PageState(ids.TAB_CLIENTS, None, None)


def test_invalid_and_stale_values_fall_back_to_defaults():
    args = {"tab": "nope", "from": "31.02.2022", "to": "2099-01-01", "segment": "k9999", "r": "7,x", "f": ""}
    assert read_page_state(args, BOUNDS) == PageState(ids.TAB_CLIENTS, *BOUNDS)


def test_a_period_is_clamped_to_the_data_and_a_reversed_one_is_all_data():
    state = read_page_state({"from": "2020-01-01", "to": "2022-01-31"}, BOUNDS)
    assert (state.start, state.end) == ("2021-07-01", "2022-01-31")
    state = read_page_state({"from": "2022-05-01", "to": "2022-01-31"}, BOUNDS)
    assert (state.start, state.end) == BOUNDS
    state = read_page_state({"from": "2030-01-01"}, BOUNDS)
    assert (state.start, state.end) == BOUNDS


def test_the_query_holds_no_card_and_omits_defaults():
    query = page_query(PageState(ids.TAB_MIGRATION, "2022-01-01", "2022-06-30"))
    assert query == "?tab=migration&from=2022-01-01&to=2022-06-30"


def test_the_referrer_gives_the_pages_parameters():
    assert referrer_args("http://localhost:8050/?tab=final&shop=A+1&shop=B") == {"tab": ["final"], "shop": ["A 1", "B"]}
    assert referrer_args(None) == {} and referrer_args("http://localhost:8050/") == {}
