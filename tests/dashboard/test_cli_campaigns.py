"""`rfma campaign create / list / report / global-control` and `rfma placebo` (issue 14): the stable contract, on
DuckDB and PostgreSQL, against an independent pandas computation of §9."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from dashboard.cli import main
from tests.conftest import load_cheques
from tests.support.chain import chain_cheques

GROUP_KEYS = ["clients", "responders", "response_rate", "purchases", "revenue", "revenue_per_client", "avg_cheque"]
REPORT_KEYS = [
    "name",
    "start_date",
    "window_days",
    "window_end",
    "partial",
    "target",
    "control",
    "response_rate_diff",
    "response_rate_ci",
    "revenue_per_client_diff",
    "revenue_per_client_ci",
    "incremental_revenue",
    "proven",
    "warnings",
]


@pytest.fixture(scope="module")
def cheques() -> pd.DataFrame:
    return chain_cheques(clients=400, anonymous=300)


@pytest.fixture
def chain(db_engine, db_url, cheques, tmp_path, monkeypatch):
    load_cheques(db_engine, cheques)
    monkeypatch.setenv("RFMA_APP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    return db_url


def u(text: str) -> float:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def window_figures(cheques: pd.DataFrame, cards: set[str], start: dt.date, days: int) -> pd.DataFrame:
    """Independent §9: purchases (doc_id dated by its earliest row) of `cards` in t0 + 1 … t0 + W, per card."""
    rows = cheques[cheques["card"].isin(cards)]
    purchases = rows.groupby(["card", "doc_id"]).agg(first=("datetime", "min"), amount=("summ_with_disc", "sum"))
    day = purchases["first"].dt.date
    inside = purchases[(day > start) & (day <= start + dt.timedelta(days=days))].reset_index()
    return inside.groupby("card").agg(purchases=("doc_id", "size"), revenue=("amount", "sum"))


def test_create_writes_the_target_group_and_report_measures_it(chain, cheques, tmp_path, capsys):
    out = tmp_path / "target.csv"
    args = ["campaign", "create", "Весна", "--db", chain, "--to", "2022-03-31", "--region", "110"]
    assert main([*args, "--control", "0.3", "--window", "45", "--out", str(out)]) == 0
    capsys.readouterr()
    target = pd.read_csv(out, dtype={"card": str})
    assert "card" in target.columns and len(target) > 0
    assert (
        main(["classify", "--db", chain, "--to", "2022-03-31", "--region", "110", "--out", str(tmp_path / "c.csv")])
        == 0
    )
    members = set(pd.read_csv(tmp_path / "c.csv", dtype={"card": str})["card"])
    capsys.readouterr()
    control = {card for card in members if u(f"Весна:{card}") < 0.3}
    assert set(target["card"]) == members - control  # control clients never in the file

    assert main(["campaign", "list", "--db", chain]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [item["name"] for item in listing] == ["Весна"]
    assert (listing[0]["clients"], listing[0]["control"], listing[0]["start_date"]) == (
        len(members),
        len(control),
        "2022-03-31",
    )

    assert main(["campaign", "report", "Весна", "--db", chain]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == REPORT_KEYS
    assert list(report["target"]) == GROUP_KEYS and list(report["control"]) == GROUP_KEYS
    assert (report["start_date"], report["window_days"], report["window_end"], report["partial"]) == (
        "2022-03-31",
        45,
        "2022-05-15",
        False,
    )
    per_card = window_figures(cheques, members, dt.date(2022, 3, 31), 45)
    for group, cards in (("target", members - control), ("control", control)):
        found = per_card.reindex(sorted(cards)).fillna(0)
        assert report[group]["clients"] == len(cards)
        assert report[group]["responders"] == int((found["purchases"] > 0).sum())
        assert report[group]["purchases"] == int(found["purchases"].sum())
        assert report[group]["revenue"] == pytest.approx(found["revenue"].sum())
    t = per_card.reindex(sorted(members - control)).fillna(0)["revenue"]
    c = per_card.reindex(sorted(control)).fillna(0)["revenue"]
    half = 1.959964 * (t.var(ddof=1) / len(t) + c.var(ddof=1) / len(c)) ** 0.5
    diff = t.mean() - c.mean()
    assert report["revenue_per_client_diff"] == pytest.approx(diff)
    assert report["revenue_per_client_ci"] == pytest.approx([diff - half, diff + half])
    assert report["incremental_revenue"] == pytest.approx(diff * len(t))
    assert report["proven"] == (report["response_rate_ci"][0] > 0)


def test_the_window_past_the_data_is_partial(chain, tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert main(["campaign", "create", "Лето", "--db", chain, "--to", "2022-06-20", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["campaign", "report", "Лето", "--db", chain]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["partial"] is True and report["window_end"] < "2022-07-20"


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--control", "0.5"], "доля контрольной группы"),
        (["--control", "0"], "доля контрольной группы"),
        (["--class", "9999"], "в выборке нет клиентов"),
        (["--from", "2030-01-01"], "нет ни одного чека"),
    ],
)
def test_refusals_exit_2_with_one_line_and_store_nothing(chain, tmp_path, capsys, extra, fragment):
    out = tmp_path / "t.csv"
    assert main(["campaign", "create", "Осень", "--db", chain, *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()
    assert main(["campaign", "list", "--db", chain]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_name_already_used_is_refused_and_the_first_campaign_is_kept(chain, tmp_path, capsys):
    first, second = tmp_path / "1.csv", tmp_path / "2.csv"
    assert main(["campaign", "create", "Весна", "--db", chain, "--region", "110", "--out", str(first)]) == 0
    assert main(["campaign", "create", "Весна", "--db", chain, "--region", "210", "--out", str(second)]) == 2
    err = capsys.readouterr().err
    assert "уже есть" in err and len(err.strip().splitlines()) == 1 and not second.exists()
    assert main(["campaign", "list", "--db", chain]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing) == 1 and "регион 110" in listing[0]["selection"]
    assert main(["campaign", "report", "Нет такой", "--db", chain]) == 2


def test_the_global_control_group_is_kept_out_of_every_target_list(chain, tmp_path, capsys):
    assert main(["campaign", "global-control", "0.2"]) == 0
    assert main(["campaign", "global-control"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {"global_control_share": 0.2}
    out = tmp_path / "t.csv"
    assert main(["campaign", "create", "Г", "--db", chain, "--out", str(out)]) == 0
    target = set(pd.read_csv(out, dtype={"card": str})["card"])
    assert target and not any(u(f"global:{card}") < 0.2 for card in target)
    assert main(["campaign", "global-control", "0.6"]) == 2


def test_placebo_prints_the_json_contract_or_says_it_is_unavailable(chain, capsys):
    assert main(["placebo", "--db", chain, "--bonus-date", "2022-03-01", "--suggested"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for side in ("actual", "placebo"):
        assert list(doc[side]) == ["n", "warmed", "stayed", "cooled"]
        assert doc[side]["n"] == doc[side]["warmed"] + doc[side]["stayed"] + doc[side]["cooled"]
    for name in ("warmed", "stayed", "cooled"):
        low, high = doc[name]["ci"]
        assert low <= doc[name]["diff"] <= high
    assert main(["placebo", "--db", chain, "--bonus-date", "2021-08-01"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["available"] is False and "недоступна" in captured.err
    assert main(["placebo", "--db", chain, "--bonus-date", "2023-01-01"]) == 2
