"""`rfma snapshot` / `rfma history` (issue 14's contract): on DuckDB and PostgreSQL cheques, the application database
on SQLite and (once) PostgreSQL; the monthly series equals `rfma classify` of each [D1, e]; errors exit 2."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from dashboard.cli import main
from tests.conftest import cheques_frame, load_cheques

HISTORY = ["snapshot_id", "as_of", "region", "clients"]
CLIENTS = ["snapshot_id", "as_of", "card", "class", "cluster", "region"]


def rows() -> list[tuple]:
    """60 clients buying at random over 2022-01-03 … 2022-04-20 (seeded), plus unidentified cheques."""
    rng = random.Random(14)
    start = dt.date(2022, 1, 3)
    out = []
    for client in range(60):
        card = str(1000 + client)
        first = rng.randrange(0, 100)
        for _ in range(rng.randrange(1, 7)):
            day = start + dt.timedelta(days=min(107, first + rng.randrange(0, 60)))
            out.append((f"{day} 10:00", card, float(rng.randrange(100, 2000))))
    out.append(("2022-04-20 12:00", None, 50.0))
    return out


@pytest.fixture
def url(db_engine, db_url):
    load_cheques(db_engine, cheques_frame(rows()))
    return db_url


@pytest.fixture
def app_db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'app.sqlite'}"


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"card": str, "class": str})


def test_a_snapshot_stores_the_classification_and_again_replaces_it(url, app_db, tmp_path, capsys):
    base = ["--db", url, "--app-db", app_db]
    assert main(["snapshot", *base, "--from", "2022-01-03", "--to", "2022-03-31"]) == 0
    assert "снимок 1: на 31.03.2022" in capsys.readouterr().out
    assert main(["snapshot", *base, "--from", "2022-01-03", "--to", "2022-03-31"]) == 0
    assert "заменил прежний" in capsys.readouterr().out
    assert main(["history", *base, "--out", str(tmp_path / "h.csv")]) == 0
    history = read(tmp_path / "h.csv")
    assert list(history.columns) == HISTORY and set(history["snapshot_id"]) == {1}
    assert main(["classify", "--db", url, "--app-db", app_db, "--from", "2022-01-03", "--to", "2022-03-31",
                 "--out", str(tmp_path / "c.csv")]) == 0  # fmt: skip
    classified = read(tmp_path / "c.csv")
    assert history["as_of"].tolist()[0] == "2022-03-31" and history["clients"].sum() == len(classified)
    assert history.set_index("region")["clients"].to_dict() == classified["region"].value_counts().to_dict()
    assert main(["history", *base, "--clients", "--out", str(tmp_path / "k.csv")]) == 0
    kept = read(tmp_path / "k.csv")
    assert list(kept.columns) == CLIENTS
    expected = classified[["card", "class", "cluster", "region"]].sort_values("card").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[["card", "class", "cluster", "region"]], expected)


def test_the_monthly_series_is_one_classification_of_d1_to_each_month_end(url, app_db, tmp_path, capsys):
    base = ["--db", url, "--app-db", app_db]
    assert main(["snapshot", *base, "--monthly", "--from", "2022-01-03", "--to", "2022-04-20", "--pin", "r3=60"]) == 0
    out = capsys.readouterr().out
    assert out.count("снимок ") == 3  # January, February, March ends; 20.04 is no month end
    assert main(["history", *base, "--clients", "--out", str(tmp_path / "k.csv")]) == 0
    kept = read(tmp_path / "k.csv")
    assert sorted(set(kept["as_of"])) == ["2022-01-31", "2022-02-28", "2022-03-31"]
    for end in ("2022-01-31", "2022-02-28", "2022-03-31"):
        path = tmp_path / f"c{end}.csv"
        assert main(["classify", *base, "--from", "2022-01-03", "--to", end, "--pin", "r3=60", "--out", str(path)]) == 0
        expected = read(path)[["card", "class", "cluster", "region"]].sort_values("card").reset_index(drop=True)
        got = kept[kept["as_of"] == end][["card", "class", "cluster", "region"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
    # the same series again replaces each snapshot; none is added
    assert main(["snapshot", *base, "--monthly", "--from", "2022-01-03", "--to", "2022-04-20", "--pin", "r3=60"]) == 0
    assert capsys.readouterr().out.count("заменил прежний") == 3
    assert main(["history", *base, "--out", str(tmp_path / "h.csv")]) == 0
    assert read(tmp_path / "h.csv")["snapshot_id"].nunique() == 3


@pytest.mark.postgres
def test_the_application_database_on_postgresql(url, postgres_url, tmp_path):
    base = ["--db", url, "--app-db", postgres_url]
    assert main(["snapshot", *base, "--to", "2022-02-28"]) == 0
    assert main(["snapshot", *base, "--to", "2022-02-28"]) == 0
    assert main(["history", *base, "--clients", "--out", str(tmp_path / "k.csv")]) == 0
    kept = read(tmp_path / "k.csv")
    assert set(kept["snapshot_id"]) == {1} and kept["card"].is_unique


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["snapshot", "--monthly", "--from", "2022-01-03"], "--monthly: укажите начало и конец ряда"),
        (["snapshot", "--monthly", "--from", "2022-01-03", "--to", "2022-01-20"], "нет ни одного последнего дня"),
        (["snapshot", "--from", "2030-01-01", "--to", "2030-01-31"], "нет ни одного чека"),
        (["snapshot", "--pin", "r1=90", "--pin", "r2=10"], "r1 = 90 должен быть меньше r2 = 10"),
        (["history", "--snapshot", "7", "--out", "x.csv"], "--snapshot 7: такого снимка"),
    ],
)
def test_errors_exit_2_with_one_russian_line(url, app_db, args, fragment, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--db", url, "--app-db", app_db]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err
