"""The segment report: true per-region counts (not the seed's «8 clients» everywhere), insights, HTML and Markdown,
an empty selection; and the CSV client list (BOM, separators, header comment) with its file name."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest

from core.classify import classify
from core.client_filter import TABLE_COLUMNS
from core.db import make_engine
from core.export import (
    client_list_filename,
    client_list_header,
    filter_segment,
    iter_client_list_csv,
)
from core.model import Period
from core.report import (
    EMPTY_MESSAGE,
    build_report,
    pareto,
    render_html,
    render_markdown,
)
from core.segment_tree import Segment
from tests.support.chain import build_chain_database


@pytest.fixture(scope="module")
def chain_engine(tmp_path_factory):
    engine = make_engine(build_chain_database(tmp_path_factory.mktemp("report") / "chain.duckdb"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def classification(chain_engine):
    return classify(chain_engine, with_shops=True)  # the dashboard's client list has the shops column


def report_of(clients, result, **kwargs):
    return build_report(
        clients,
        date_from="2021-07-01",
        date_to="2022-06-30",
        analysis_date=result.base.analysis_date,
        thresholds=result.thresholds.as_dict(),
        created=dt.date(2024, 1, 2),
        **kwargs,
    )


def test_per_region_counts_are_the_engines(classification):
    clients = classification.clients
    report = report_of(clients, classification)
    engine_counts = clients["region"].astype("int64").value_counts()
    assert {s.region: s.clients for s in report.regions} == engine_counts.to_dict()
    assert sum(s.clients for s in report.regions) == report.total_clients == 600
    assert len({s.clients for s in report.regions}) > 1  # not the seed's bug: every segment «8 clients»
    for s in report.regions:
        part = clients[clients["region"].astype("int64") == s.region]
        assert s.share == pytest.approx(len(part) / 600)
        assert s.revenue_share == pytest.approx(part["revenue"].sum() / clients["revenue"].sum())
        assert s.mean_recency_days == pytest.approx(part["recency_days"].mean())
        assert s.mean_avg_cheque == pytest.approx(part["avg_cheque"].mean())
    html = render_html(report)
    for region, count in engine_counts.items():
        assert f'<tr data-region="{region}">' in html and f'data-clients="{count}"' in html
    markdown = render_markdown(report)
    assert "## Регион 110: VIP" in markdown and "Маркетинговая стратегия" in markdown and "Метрики успеха" in markdown


def test_the_report_names_date_period_total_and_key_insights(classification):
    clients = classification.clients
    report = report_of(clients, classification, filters=["сегмент: Все клиенты"])
    text = render_markdown(report)
    assert "**Дата анализа:** 30.06.2022" in text and "01.07.2021 — 30.06.2022" in text
    assert "**Всего клиентов в выборке:** 600" in text
    largest = clients["region"].astype("int64").value_counts().idxmax()
    assert report.insights.largest_region == largest
    by_revenue = clients.groupby(clients["region"].astype("int64"))["revenue"].sum()
    assert report.insights.valuable_region == by_revenue.idxmax()
    assert report.insights.one_time_share == pytest.approx((clients["purchases"] == 1).mean())
    assert re.search(r"Парето: [\d,]+ % клиентов приносят 80 % выручки", text.replace("\u00a0", " "))


def test_a_report_of_a_selection_counts_only_its_clients(classification):
    vip = filter_segment(classification.clients, regions=[110])
    report = report_of(vip, classification)
    assert [s.region for s in report.regions] == [110] and report.regions[0].share == 1.0
    assert report.region_counts.set_index("region").at[210, "clients"] == 0


def test_an_empty_selection_says_so(classification, chain_engine):
    nobody = classify(chain_engine, Period.parse("2030-01-01", None)).clients  # the engine's empty result
    for empty in (classification.clients.iloc[:0], nobody):
        report = report_of(empty, classification)
        assert report.is_empty and report.insights is None
        assert EMPTY_MESSAGE in render_html(report) and EMPTY_MESSAGE in render_markdown(report)


def test_pareto_by_hand():
    # revenues 50, 30, 10, 5, 5 (total 100): the best 2 of 5 clients (40 %) bring 80 %; the best 20 % (1) bring 50 %
    assert pareto(np.array([5, 50, 10, 30, 5.0])) == (0.4, 0.5)
    assert pareto(np.array([])) == (0.0, 0.0)


@pytest.mark.parametrize(("fmt", "sep", "decimal"), [("excel", ";", ","), ("csv", ",", ".")])
def test_the_csv_round_trips_through_pandas_with_the_bom(classification, fmt, sep, decimal):
    clients = filter_segment(classification.clients, regions=[210])
    header = client_list_header(
        "клиенты сегмента 210 середняк",
        "2021-07-01",
        "2022-06-30",
        dt.date(2022, 6, 30),
        classification.thresholds.as_dict(),
        ["сегмент: 210 середняк"],
        len(clients),
    )
    # the '#' description lines (rfma export --describe) and machine names, read back as documented
    content = b"".join(iter_client_list_csv(clients, TABLE_COLUMNS, header, fmt, names="machine"))
    assert content.startswith(b"\xef\xbb\xbf# RFMA")
    back = pd.read_csv(
        io.BytesIO(content),
        sep=sep,
        decimal=decimal,
        comment="#",
        encoding="utf-8-sig",
        dtype={"card": str, "class": str},
    )
    assert list(back.columns) == TABLE_COLUMNS
    cards = [f'="{card}"' for card in clients["card"]] if fmt == "excel" else list(clients["card"])
    assert list(back["card"]) == cards
    assert back["revenue"].to_numpy() == pytest.approx(clients["revenue"].to_numpy(), abs=0.005)
    assert back["frequency"].to_numpy() == pytest.approx(clients["frequency"].to_numpy(), abs=1e-6)
    day = "%d.%m.%Y" if fmt == "excel" else "%Y-%m-%d"
    assert back["first_date"].iloc[0] == clients["first_date"].iloc[0].strftime(day)
    skipped = pd.read_csv(
        io.BytesIO(content), sep=sep, decimal=decimal, skiprows=len(header), encoding="utf-8-sig", dtype={"card": str}
    )
    assert list(skipped["card"]) == cards
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[1] == "# период: 01.07.2021 — 30.06.2022; дата анализа: 30.06.2022"
    assert lines[2].startswith("# пороги: r1=") and "m1=" in lines[2]


def test_the_file_name_has_the_segment_and_the_period():
    assert client_list_filename(Segment.parse("r110").file_part(), "2021-07-01", "2022-06-06") == (
        "rfma_110_VIP_2021-07-01_2022-06-06.csv"
    )
    assert client_list_filename(Segment().file_part(), "2021-07-01", "2022-06-06") == (
        "rfma_все_клиенты_2021-07-01_2022-06-06.csv"
    )


def test_an_export_of_200_000_clients_completes(classification):
    """200,000 clients (the size of demo --scale 35): the whole list in one file, every card once."""
    base = classification.clients
    repeat = -(-200_000 // len(base))
    big = pd.concat([base] * repeat, ignore_index=True).iloc[:200_000]
    big["card"] = [str(9_000_000 + i) for i in range(len(big))]
    content = b"".join(iter_client_list_csv(big, TABLE_COLUMNS, ["# RFMA: test"], "excel"))
    back = pd.read_csv(
        io.BytesIO(content),
        sep=";",
        decimal=",",
        comment="#",
        encoding="utf-8-sig",
        usecols=["Карта"],
        dtype={"Карта": str},
    )
    assert len(back) == 200_000 and back["Карта"].is_unique


def test_region_descriptions_print_the_thresholds_values_not_their_names():
    from core.report import with_numbers

    assert with_numbers("Новички (возраст до a1 дней).", {"a1": 365.0}) == "Новички (возраст до 365 дней)."
    assert with_numbers("чек выше m1 и до m2", {"m1": 1500.0, "m2": 0.25}) == "чек выше 1\u00a0500 и до 0,25"
    assert with_numbers("возраст до a1 дней", None) == "возраст до a1 дней"  # no value: the name stays


def test_the_report_has_no_threshold_symbols(classification):
    text = render_markdown(report_of(classification.clients, classification))
    assert not re.search(r"\b(r[123]|f[12]|m[12]|a[12]) (дн|₽)", text)  # «до a1 дней» is printed as a number


def test_the_report_carries_each_regions_bonus_economics(classification):
    from core import formatting as fmt
    from core.glossary import BONUS_ECONOMICS

    clients = classification.clients
    report = report_of(clients, classification)
    html, markdown = render_html(report), render_markdown(report)
    for header, hint in BONUS_ECONOMICS.values():
        assert f'title="{hint}">{header}</th>' in html.replace("&quot;", '"')
        assert header in markdown
    vip = clients[clients["region"].astype("int64") == 110]
    ltv = fmt.money(vip["revenue"].sum() / len(vip), 2)  # the whole history: LTV = the period's revenue per client
    share = fmt.percent(vip["discount"].sum() / vip["gross"].sum())
    row = next(line for line in markdown.splitlines() if line.startswith("| 110 | VIP | ") and "₽" in line)
    assert ltv in row and share in row
    assert html.count("<tr data-bonus-region=") == 9
    empty = report_of(clients.iloc[0:0], classification)
    assert "Бонусы, скидки и LTV" not in render_markdown(empty)
