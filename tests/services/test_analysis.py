"""The analyses every tab shares: kept row orders index exactly the frame they were computed on, also when a
classification is recomputed from a copy in another row order, and under simultaneous cold requests."""

from __future__ import annotations

import concurrent.futures
import dataclasses

from core.client_filter import ClientFilter
from dashboard.services.cache import key_digest
from dashboard.services.exports import ClientListExport
from tests.support.dashboard import FULL, HALF

BY_REVENUE = (("revenue", True),)


def cards_of(services, request, **match) -> set:
    clients = services.analyses.classification(request).clients
    mask = clients["card"].notna()
    for column, value in match.items():
        mask &= clients[column].astype(type(value)) == value
    return set(clients.loc[mask, "card"])


def test_kept_orders_follow_a_recomputed_classification_in_another_row_order(services, full):
    vip = ClientFilter.build("r110")
    first, count = services.final.client_page(full, vip, 0, 50, BY_REVENUE)  # an order is kept for this frame
    # another worker's copy of the client base, in another row order, replaces the cached one, and this worker
    # forgets its classification: the kept positions must not be applied to the new frame
    base = services.analyses.client_base(full)
    shuffled = dataclasses.replace(base, clients=base.clients.iloc[::-1].reset_index(drop=True))
    services.analyses.cache.cache.set(key_digest(full.key("client_base", pins=False)), shuffled)
    services.analyses._classifications = type(services.analyses._classifications)(3)
    again, again_count = services.final.client_page(full, vip, 0, 50, BY_REVENUE)
    assert again_count == count and [r["card"] for r in again] == [r["card"] for r in first]
    assert {r["region"] for r in again} == {110}
    _, chunks = services.exports.client_list(ClientListExport(full, vip, BY_REVENUE, "csv"))
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()[1:]  # the header row, no comment lines
    assert {line.split(",")[0] for line in lines} == cards_of(services, full, region=110)


def test_simultaneous_cold_requests_give_the_single_user_answers(make_app, chain_url):
    """Pages, summaries and CSV files of different segments and periods, all at once on a cold app, each compared
    with the answer a single user gets."""
    cases = [(period, segment) for period in (FULL, HALF) for segment in ("r110", "r510", "c22", "w2")]

    def answers(app, parallel: bool) -> dict:
        services = app.server.extensions["rfma_services"]

        def ask(case):
            period, segment = case
            with app.server.test_request_context():
                request = services.requests.build(*period)
                flt = ClientFilter.build(segment)
                page, count = services.final.client_page(request, flt, 0, 10_000, BY_REVENUE)
                summary = services.final.selection(request, flt)
                _, chunks = services.exports.client_list(ClientListExport(request, flt, BY_REVENUE, "csv"))
                return [r["card"] for r in page], count, summary.clients, b"".join(chunks)

        if not parallel:
            return {case: ask(case) for case in cases}
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            return dict(zip(cases, pool.map(ask, cases), strict=True))

    reference = answers(make_app(chain_url, cache_type="SimpleCache"), parallel=False)
    for _ in range(2):
        assert answers(make_app(chain_url, cache_type="SimpleCache"), parallel=True) == reference
    for (period, segment), (cards, count, clients, _csv) in reference.items():
        assert len(cards) == count == clients > 0, (period, segment)
