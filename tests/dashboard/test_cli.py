"""The `rfma` CLI contract: commands, JSON keys, CSV columns, exit code 2 with one line on errors."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from dashboard import cli, ids
from dashboard.cli import main
from tests.conftest import cheques_frame, load_cheques
from tests.support.bases import HAND_ROWS

CLASSIFY_COLUMNS = (
    "card,first_date,last_date,purchases,revenue,avg_cheque,recency_days,age_days,frequency,r,f,m,a,"
    "class,cluster,region,warmth,class_name,cluster_name,region_name"
).split(",")


@pytest.fixture
def url(db_engine, db_url):
    load_cheques(db_engine, cheques_frame(HAND_ROWS))
    return db_url


def test_thresholds_prints_the_json_contract(url, capsys):
    assert main(["thresholds", "--db", url, "--pin", "r3=40"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "analysis_date",
        "churn_period",
        "base_interval",
        "r1",
        "r2",
        "r3",
        "f1",
        "f2",
        "m1",
        "m2",
        "a1",
        "a2",
        "warnings",
    ):
        assert key in doc
    assert doc["analysis_date"] == "2022-02-05" and doc["r3"] == 40 and doc["churn_period"] == 30
    assert doc["base_interval"] == doc["r1"] == 5 and doc["m1"] == 600 and isinstance(doc["warnings"], list)


def test_classify_writes_the_contract_columns_and_filters(url, tmp_path, capsys):
    out = tmp_path / "clients.csv"
    assert main(["classify", "--db", url, "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"card": str, "class": str, "frequency": str})
    assert list(frame.columns) == CLASSIFY_COLUMNS
    assert frame["card"].tolist() == ["100", "200", "300"]
    assert frame.set_index("card").loc["100", "frequency"] == "0.428571"
    assert frame.set_index("card").loc["200", "class"] == "2213"
    assert frame["first_date"].iloc[0] == "2022-01-01"
    only = tmp_path / "only.csv"
    assert main(["classify", "--db", url, "--out", str(only), "--region", "220"]) == 0
    assert pd.read_csv(only, dtype={"card": str})["card"].tolist() == ["200", "300"]  # classes 2213 and 2223


def test_migrate_writes_the_matrix_columns(url, tmp_path):
    out = tmp_path / "migration.csv"
    assert main(["migrate", "--db", url, "--bonus-date", "2022-01-15", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype=str)
    assert list(frame.columns) == ["source_region", "destination_region", "clients", "revenue_after"]
    assert frame["clients"].astype(int).sum() == 3
    assert (frame["source_region"] == "новый").any()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["thresholds", "--pin", "r1=90", "--pin", "r2=10"], "r1 = 90 должен быть меньше r2 = 10"),
        (["thresholds", "--from", "2022-31-01"], "неверная дата '2022-31-01'"),
        (["thresholds", "--pin", "q1=3"], "неизвестный порог 'q1'"),
        (["migrate", "--bonus-date", "2030-01-01", "--out", "x.csv"], "вне периода"),
    ],
)
def test_errors_exit_2_with_one_line(url, capsys, args, fragment):
    assert main([*args, "--db", url]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unreadable_database_url_and_unknown_csv_column_exit_2(tmp_path, capsys):
    assert main(["thresholds", "--db", "nosuchdialect://x"]) == 2
    assert main(["thresholds", "--db", "postgresql+psycopg://u@127.0.0.1:9/none"]) == 2
    csv = tmp_path / "c.csv"
    csv.write_text("datetime,card,summ_with_disc,doc_id\n2022-01-01,1,5,A\n")
    assert main(["import", str(csv), "--db", f"duckdb:///{tmp_path / 'x.duckdb'}", "--map", "card=Карта"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("rfma ") for line in lines)


def test_import_prints_counts_and_rejects_bad_files_with_exit_2(tmp_path):
    db = f"duckdb:///{tmp_path / 'import.duckdb'}"
    good = tmp_path / "good.csv"
    good.write_text("datetime,card,summ_with_disc,doc_id\n2022-01-01 10:00,1,5,A\n2022-01-02 10:00,2,7,B\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("datetime,card,summ_with_disc,doc_id\n2022-01-01 10:00,1,five,C\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "dashboard.cli", *a], capture_output=True, text=True)  # noqa: E731
    first = run("import", str(good), "--db", db)
    assert first.returncode == 0 and "прочитано строк: 2" in first.stdout and "добавлено чеков: 2" in first.stdout
    again = run("import", str(good), "--db", db)
    assert "пропущено уже загруженных чеков: 2" in again.stdout
    rejected = run("import", str(bad), "--db", db)
    assert rejected.returncode == 2 and "Traceback" not in rejected.stderr
    assert "строка 2, колонка summ_with_disc, значение 'five'" in rejected.stderr


def test_classify_filters_by_cluster_and_class_like_the_dashboard(url, tmp_path):
    everyone = tmp_path / "all.csv"
    assert main(["classify", "--db", url, "--out", str(everyone)]) == 0
    frame = pd.read_csv(everyone, dtype={"card": str, "class": str})
    cluster = int(frame["cluster"].iloc[0])
    out = tmp_path / "cluster.csv"
    assert main(["classify", "--db", url, "--out", str(out), "--cluster", str(cluster)]) == 0
    assert set(pd.read_csv(out, dtype={"card": str})["card"]) == set(frame.loc[frame["cluster"] == cluster, "card"])
    out = tmp_path / "class.csv"
    assert main(["classify", "--db", url, "--out", str(out), "--class", "2213", "--class", "2223"]) == 0
    assert pd.read_csv(out, dtype={"card": str})["card"].tolist() == ["200", "300"]


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_report_writes_true_region_counts(url, tmp_path, capsys, suffix):
    out = tmp_path / f"report{suffix}"
    assert main(["report", "--db", url, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Дата анализа" in text and "Ключевые выводы" in text
    assert ('data-clients="2"' in text) if suffix == ".html" else ("| 220 | добро пожаловать | 2 теплые | 2 |" in text)
    only = tmp_path / f"only{suffix}"
    assert main(["report", "--db", url, "--out", str(only), "--region", "110"]) == 0  # nobody is VIP here
    assert "В выборке нет ни одного клиента" in only.read_text(encoding="utf-8")
    assert main(["report", "--db", url, "--out", str(tmp_path / "report.pdf")]) == 2
    assert "ожидается файл .html или .md" in capsys.readouterr().err


def failing(exc: BaseException):
    def command(_args):
        raise exc

    return command


def test_an_unexpected_error_is_one_line_without_its_text(monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "thresholds", failing(TypeError("card 100042 has no cheques")))
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["thresholds"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rfma thresholds: внутренняя ошибка (TypeError)")
    assert "100042" not in err and "Traceback" not in err


def test_the_traceback_is_there_when_asked_for(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "thresholds", failing(TypeError("boom")))
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(TypeError, match="boom"):
        cli.main(["thresholds"])


def test_an_interrupt_is_one_line(monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "classify", failing(KeyboardInterrupt()))
    assert cli.main(["classify", "--out", "x.csv"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "rfma classify: прервано\n"


def test_migrate_with_no_client_before_the_bonus_date_writes_everyone_as_new(db_engine, db_url, tmp_path, capsys):
    from tests.core.test_migration import UNIDENTIFIED_BEFORE

    load_cheques(db_engine, cheques_frame(UNIDENTIFIED_BEFORE))
    out = tmp_path / "migration.csv"
    assert main(["migrate", "--db", db_url, "--bonus-date", "2022-01-31", "--out", str(out)]) == 0
    matrix = pd.read_csv(out)
    assert set(matrix["source_region"]) == {"новый"} and matrix["clients"].sum() == 2
    assert "новых: 2" in capsys.readouterr().out


def test_serve_on_a_busy_port_is_one_line_before_anything_starts(capsys):
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert main(["serve", "--no-auth", "--port", str(port)]) == 2
    err = capsys.readouterr()
    assert (
        err.err == f"rfma serve: ошибка: адрес 127.0.0.1:{port} недоступен — занят другой программой; "
        "выберите другой: --port N\n"
    )
    assert "Dash is running" not in err.out


def test_rfma_and_the_dashboard_classify_with_the_chain_set_saved_on_the_page(make_app, chain_url, tmp_path, capsys):
    """Issue 11: «110 VIP» was 660 on screen and 654 in `rfma classify --region 110`; now both use the chain's set."""
    import shutil

    from callbacks.shell import ShellCallbacks
    from tests.callbacks.test_shell import act
    from tests.support.dashboard import FULL

    copy = tmp_path / "chain.duckdb"  # the CLI opens its database read-write: never the shared read-only test file
    shutil.copy(chain_url.removeprefix("duckdb:///"), copy)
    chain_url = f"duckdb:///{copy}"
    app = make_app(chain_url)
    context = app.server.test_request_context()
    context.push()
    services = app.server.extensions["rfma_services"]
    draft = {"r1": 25, "m1": 1500}
    assert act(services, ids.HEADER.SAVE_FOR_CHAIN, draft)[0] is None
    app_db = ["--app-db", services.settings.app_database_url]
    on_screen = services.analyses.classification(services.requests.build(*FULL)).clients
    out = tmp_path / "vip.csv"
    args = ["classify", "--db", chain_url, "--from", FULL[0], "--to", FULL[1], "--out", str(out), "--region", "110"]
    assert main([*args, *app_db]) == 0
    assert "пороги: набор сети (r1 = 25, m1 = 1500; сохранил: локальный режим (без входа)" in capsys.readouterr().err
    cli_cards = set(pd.read_csv(out, dtype={"card": str})["card"])
    assert cli_cards == set(on_screen.loc[on_screen["region"] == 110, "card"]) and cli_cards
    assert main([*args, *app_db, "--suggested"]) == 0
    suggested = services.analyses.classification(services.requests.build(*FULL, {})).clients
    assert set(pd.read_csv(out, dtype={"card": str})["card"]) == set(suggested.loc[suggested["region"] == 110, "card"])
    assert ShellCallbacks(services).threshold_set(*FULL, None)[0].startswith("Пороги: утверждённые для сети")
    context.pop()


def test_thresholds_saves_the_chain_set_and_prints_its_history(url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RFMA_APP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    assert main(["thresholds", "--db", url, "--pin", "r3=40", "--save"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["r3"] == 40 and "набор порогов сети сохранён: r3 = 40" in captured.err
    assert main(["thresholds", "--db", url]) == 0  # no --pin: the chain's set is in force
    assert json.loads(capsys.readouterr().out)["r3"] == 40
    assert main(["thresholds", "--db", url, "--suggested"]) == 0
    assert json.loads(capsys.readouterr().out)["r3"] != 40
    assert main(["thresholds", "--db", url, "--pin", "r3=2", "--save"]) == 2  # unordered: refused, nothing saved
    assert "не упорядочены" in capsys.readouterr().err
    assert main(["thresholds", "--db", url, "--history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].endswith("\trfma\tr3 = 40")


def test_an_unreachable_application_database_is_one_line(url, capsys):
    assert main(["thresholds", "--db", url, "--app-db", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfma thresholds: ошибка: база приложения недоступна") and len(err.splitlines()) == 1


def test_export_writes_the_managers_file_by_default_and_the_tools_file_on_request(url, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--db", url]) == 0
    name = "rfma_все_клиенты_2022-01-01_2022-02-05.csv"
    assert capsys.readouterr().out == f"записано: 3 клиента → {name}\n"
    lines = (tmp_path / name).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Карта;Регион;Название региона;") and lines[0].endswith(";Последняя покупка")
    # revenue descending, ties by card; the card as Excel text, decimal commas, ДД.ММ.ГГГГ
    assert [line.split(";")[0] for line in lines[1:]] == ['"=""200"""', '"=""300"""', '"=""100"""']
    assert lines[3].endswith(";0,428571;600,0;200,0;0,0;2;01.01.2022;31.01.2022")
    out = tmp_path / "m.csv"
    args = ["export", "--db", url, "--columns", "machine", "--format", "csv", "--describe", "--region", "220"]
    assert main([*args, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("# RFMA: клиенты (регионы: 220)\n# период: 01.01.2022 — 05.02.2022;")
    frame = pd.read_csv(out, comment="#", dtype={"card": str})
    assert frame["card"].tolist() == ["200", "300"] and frame.columns[0] == "card"
    assert frame["first_date"].tolist() == ["2022-01-20", "2022-01-10"]
    assert main(["export", "--db", url, "--cluster", "12"]) == 0
    assert (tmp_path / "rfma_кластеры_12_2022-01-01_2022-02-05.csv").exists()


def test_serve_refuses_without_a_user_and_no_auth_refuses_another_host(capsys):
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfma serve: ошибка: нет ни одного пользователя; создайте администратора: rfma users add")
    assert main(["serve", "--no-auth", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "--no-auth только для этого компьютера: --host 0.0.0.0 недопустим" in capsys.readouterr().err


def run_cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ | (env or {}),
    )


def test_users_are_added_listed_changed_and_audited(tmp_path):
    app_db = ["--app-db", f"sqlite:///{tmp_path / 'app.sqlite'}"]
    added = run_cli("users", "add", "anna", "--role", "manager", *app_db, stdin="очень-секретно\n")
    assert added.returncode == 0 and added.stdout == "добавлен anna, роль manager\n"
    assert run_cli("users", "add", "anna", "--role", "viewer", *app_db, stdin="другой-пароль\n").returncode == 2
    short = run_cli("users", "add", "boris", "--role", "viewer", *app_db, stdin="коротко\n")
    assert short.returncode == 2 and "пароль короче 8 символов" in short.stderr and "Traceback" not in short.stderr
    assert run_cli("users", "set-role", "anna", "admin", *app_db).returncode == 0
    assert run_cli("users", "disable", "anna", *app_db).returncode == 0
    assert run_cli("users", "passwd", "anna", *app_db, stdin="новый-пароль-1\n").returncode == 0
    listed = run_cli("users", "list", *app_db)
    assert listed.stdout == "anna\tadmin (администратор)\tотключён\tвсе источники\n"
    missing = run_cli("users", "disable", "nobody", *app_db)
    assert missing.returncode == 2 and missing.stderr.strip() == "rfma users: ошибка: пользователя nobody нет"
    out = tmp_path / "audit.csv"
    assert run_cli("audit", "--out", str(out), *app_db).returncode == 0
    audit = pd.read_csv(out)
    assert list(audit.columns) == ["at", "user", "action", "detail", "rows"]
    assert audit["detail"].tolist() == [
        "добавлен anna, роль manager",
        "anna: роль admin",
        "anna: отключён",
        "anna: пароль изменён",
    ]
    assert set(audit["action"]) == {"user_changed"} and audit["user"].str.startswith("rfma:").all()
    assert "очень-секретно" not in out.read_text() and "новый-пароль-1" not in out.read_text()
    later = run_cli("audit", "--since", "2999-01-01", "--out", str(out), *app_db)
    assert later.returncode == 0 and len(pd.read_csv(out)) == 0


# --- named data sources (issue 12) --------------------------------------------------------------------------------


def sources_env(tmp_path, north: str, south: str) -> dict:
    path = tmp_path / "sources.toml"
    path.write_text(f'[sources]\n"Аптеки Север" = "{north}"\n"Аптеки Юг" = "{south}"\n', encoding="utf-8")
    return {"RFMA_SOURCES_FILE": str(path), "RFMA_APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}"}


def test_users_grant_names_configured_sources_or_all_and_list_shows_them(tmp_path):
    env = sources_env(tmp_path, "postgresql://rfma:secret@db.internal/north", "duckdb:///srv/south.duckdb")
    assert run_cli("users", "add", "anna", "--role", "viewer", stdin="очень-секретно\n", env=env).returncode == 0
    granted = run_cli("users", "grant", "anna", "Аптеки Юг", env=env)
    assert granted.returncode == 0 and granted.stdout == "anna: источники Аптеки Юг\n"
    assert run_cli("users", "list", env=env).stdout == "anna\tviewer (просмотр)\tактивен\tАптеки Юг\n"
    unknown = run_cli("users", "grant", "anna", "Аптеки Запад", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "rfma users: ошибка: источника 'Аптеки Запад' нет; есть: Аптеки Север, Аптеки Юг"
    assert "secret" not in unknown.stderr and "db.internal" not in unknown.stderr
    neither = run_cli("users", "grant", "anna", env=env)
    assert neither.returncode == 2 and "укажите источники по именам или --all" in neither.stderr
    assert run_cli("users", "grant", "anna", "--all", env=env).stdout == "anna: все источники\n"
    assert run_cli("users", "list", env=env).stdout.endswith("\tвсе источники\n")
    audit = tmp_path / "audit.csv"
    assert run_cli("audit", "--out", str(audit), env=env).returncode == 0
    assert pd.read_csv(audit)["detail"].tolist()[-2:] == ["anna: источники Аптеки Юг", "anna: все источники"]


def test_source_picks_a_named_database_and_its_chain_set(tmp_path, monkeypatch, capsys):
    from dashboard.appdb import AuditLog, app_engine
    from dashboard.appdb.audit import THRESHOLDS_SAVED
    from tests.support.chain import SECOND_CHAIN, build_chain_database

    north = build_chain_database(tmp_path / "north.duckdb", clients=120, anonymous=100)
    south = build_chain_database(tmp_path / "south.duckdb", **SECOND_CHAIN)
    for name, value in sources_env(tmp_path, north, south).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "south.csv"
    assert main(["classify", "--source", "Аптеки Юг", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == pd.read_csv(out)["card"].nunique() > 120  # «Юг» has more clients
    assert main(["classify", "--out", str(out)]) == 0  # no option: the first named source
    assert "клиентов записано: 1" in capsys.readouterr().out and len(pd.read_csv(out)) <= 120
    assert main(["thresholds", "--source", "Аптеки Юг", "--pin", "r1=40", "--save"]) == 0
    capsys.readouterr()
    assert main(["thresholds", "--source", "Аптеки Север", "--history"]) == 0
    assert capsys.readouterr().out == ""  # the set was saved for «Юг» only
    assert main(["thresholds", "--db", south, "--history"]) == 0  # --db of the same database: the same set
    assert capsys.readouterr().out.endswith("\trfma\tr1 = 40\n")
    saved = AuditLog(app_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")).entries(action=THRESHOLDS_SAVED)
    assert [entry.source for entry in saved] == ["Аптеки Юг"]
    assert main(["classify", "--source", "Аптеки Запад", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        err == "rfma classify: ошибка: --source 'Аптеки Запад': такого источника нет; есть: Аптеки Север, Аптеки Юг\n"
    )
    assert main(["classify", "--source", "Аптеки Юг", "--db", south, "--out", str(out)]) == 2
    assert "--db и --source вместе" in capsys.readouterr().err
    import socket

    with socket.socket() as busy:  # were --db taken, serve would stop at the busy port, never serve
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        assert main(["serve", "--db", south, "--no-auth", "--port", port]) == 2
    assert "--db вместе с именованными источниками" in capsys.readouterr().err


def test_a_bad_sources_file_is_one_line_naming_its_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "sources.toml"
    path.write_text('[sources]\n"Аптеки Север" = "postgresql://rfma:secret@db/north\n', encoding="utf-8")
    monkeypatch.setenv("RFMA_SOURCES_FILE", str(path))
    assert main(["classify", "--source", "Аптеки Север", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rfma classify: ошибка: RFMA_SOURCES_FILE={path}, строка 2: не разобрать TOML")
    assert "secret" not in err and len(err.splitlines()) == 1


def test_workbook_writes_the_dashboards_workbook_and_audits_it(chain_url, tmp_path, capsys):
    import openpyxl

    from dashboard.appdb import AuditLog, app_engine
    from dashboard.services.tables import TABLES
    from dashboard.services.workbook import DOWNLOAD_WORKBOOK, REPORT_SHEET, WORKBOOK_TABLES

    app_db = f"sqlite:///{tmp_path / 'app.sqlite'}"
    out = tmp_path / "книга.xlsx"
    args = ["workbook", "--db", chain_url, "--app-db", app_db, "--from", "2021-07-01", "--to", "2022-06-30"]
    assert main([*args, "--suggested", "--bonus-date", "2021-12-30", "--out", str(out)]) == 0
    assert "книга rfma_дашборд_2021-07-01_2022-06-30.xlsx" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [REPORT_SHEET, *(TABLES[name].title for name in WORKBOOK_TABLES)]
    report = {row[0]: row[1] for row in book[REPORT_SHEET].iter_rows(min_row=3, values_only=True) if row[0]}
    assert report["Период"] == "01.07.2021 — 30.06.2022" and report["Источник данных"] == "DuckDB «chain.duckdb»"
    assert report["Пороги"] == "предложены по данным (без набора сети)" and report["Выгрузил"].startswith("rfma:")
    assert book["Регионы"].max_row == 10 and book["Классы"].max_row == 109
    [entry] = AuditLog(app_engine(app_db)).entries(action=DOWNLOAD_WORKBOOK)
    assert entry.user.startswith("rfma:") and entry.rows and entry.detail.endswith(".xlsx")
    assert main([*args, "--pin", "r1=30", "--out", str(out)]) == 0  # no bonus date: no migration sheet
    book = openpyxl.load_workbook(out)
    report = {row[0]: row[1] for row in book[REPORT_SHEET].iter_rows(min_row=3, values_only=True) if row[0]}
    assert "Миграция" not in book.sheetnames and report["Порог r1"] == "30 (закреплён)"
    assert report["Пороги"].startswith("закреплены в командной строке (--pin)")
    assert main([*args, "--bonus-date", "2030-01-01", "--out", str(out)]) == 2
    assert "вне периода" in capsys.readouterr().err


# --- rfma cohorts / pareto / dynamics (issue 13: a stable contract) -------------------------------------------------

COHORT_COLUMNS = (
    "cohort,months_since,cohort_clients,active_clients,retention,purchases,revenue,avg_cheque,ltv,partial".split(",")
)
DYNAMICS_COLUMNS = "month,shop,active_clients,new_clients,one_time_clients,repeat_clients,lapsed_clients".split(",")


@pytest.fixture
def cohort_url(db_engine, db_url):
    from tests.core.test_cohorts import ROWS

    load_cheques(db_engine, cheques_frame(ROWS))
    return db_url


def test_cohorts_writes_one_row_per_cell(cohort_url, tmp_path, capsys):
    out = tmp_path / "cohorts.csv"
    assert main(["cohorts", "--db", cohort_url, "--from", "2024-02-01", "--to", "2024-05-10", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0].split(",") == COHORT_COLUMNS
    assert text[1] == "2024-02,0,2,2,1.0,2,130.0,65.0,65.0,false"
    assert text[2] == "2024-02,1,2,0,0.0,0,0.0,,65.0,false"  # no purchase: avg_cheque is empty
    assert text[4].endswith(",true") and len(text) == 1 + 7  # the partial month; cohorts 2024-02 and 2024-03


def test_cohorts_restricts_to_a_segment_of_the_periods_classification(cohort_url, tmp_path, capsys):
    from core.classify import classify
    from core.db import make_engine
    from core.model import Period

    engine = make_engine(cohort_url)
    clients = classify(engine, Period.parse("2024-02-01", "2024-05-10")).clients.set_index("card")
    engine.dispose()
    region = int(clients.loc["4", "region"])
    members = set(clients.index[clients["region"] == region])
    out = tmp_path / "segment.csv"
    args = ["cohorts", "--db", cohort_url, "--from", "2024-02-01", "--to", "2024-05-10", "--suggested"]
    assert main([*args, "--region", str(region), "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"cohort": str})
    sizes = frame.groupby("cohort")["cohort_clients"].first().to_dict()
    expected = {"2024-02": len(members & {"2", "3"}), "2024-03": len(members & {"4"})}
    assert sizes == {cohort: size for cohort, size in expected.items() if size}


def test_pareto_prints_the_json_contract(cohort_url, capsys):
    assert main(["pareto", "--db", cohort_url, "--from", "2024-02-01", "--to", "2024-05-10"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["clients", "revenue", "top20_revenue_share", "clients_share_for_80_revenue"]
    assert doc == {
        "clients": 4,
        "revenue": 320.0,
        "top20_revenue_share": 150 / 320,
        "clients_share_for_80_revenue": 0.75,
    }


def test_dynamics_writes_the_chain_and_every_pharmacy_with_the_churn_period_in_force(cohort_url, tmp_path, capsys):
    out = tmp_path / "dynamics.csv"
    args = ["dynamics", "--db", cohort_url, "--from", "2024-02-01", "--to", "2024-05-10", "--suggested"]
    assert main([*args, "--pin", "r3=30", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"month": str})
    assert list(frame.columns) == DYNAMICS_COLUMNS
    assert list(frame["shop"][:3]) == ["Вся сеть", "Аптека 1", "Аптека 2"]
    april = frame[(frame["shop"] == "Вся сеть") & (frame["month"] == "2024-04")].iloc[0]
    assert list(april[2:]) == [1, 0, 0, 1, 1]  # card 4 lapses: 30.04 − 01.03 > r3 = 30
    shorter = tmp_path / "shorter.csv"
    assert main([*args, "--pin", "r3=29", "--pin", "r2=20", "--pin", "r1=10", "--out", str(shorter)]) == 0
    march = pd.read_csv(shorter, dtype={"month": str}).iloc[3]
    assert (march["month"], march["shop"], march["active_clients"]) == ("2024-03", "Вся сеть", 0)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["cohorts", "--from", "2030-01-01", "--out", "x.csv"], "нет ни одного чека"),
        (["cohorts", "--pin", "q1=3", "--out", "x.csv"], "неизвестный порог 'q1'"),
        (["pareto", "--to", "2022-13-01"], "неверная дата '2022-13-01'"),
        (["dynamics", "--from", "2024-03-01", "--to", "2024-02-01", "--out", "x.csv"], "позже его конца"),
        (["dynamics", "--pin", "r1=90", "--pin", "r2=10", "--out", "x.csv"], "r1 = 90 должен быть меньше r2 = 10"),
    ],
)
def test_cohort_commands_exit_2_with_one_line(cohort_url, capsys, args, fragment):
    assert main([*args, "--db", cohort_url]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("segment", "names"),
    [
        (["--region", "110", "--cluster", "11"], "--region и --cluster"),
        (["--class", "1111", "--region", "110"], "--class и --region"),
        (["--cluster", "11", "--class", "1111"], "--cluster и --class"),
    ],
)
def test_cohorts_takes_one_segment_filter_at_most_in_one_russian_line(cohort_url, capsys, segment, names):
    with pytest.raises(SystemExit) as exit_:
        main(["cohorts", "--db", cohort_url, *segment, "--out", "x.csv"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == f"rfma cohorts: ошибка: {names} вместе: укажите что-то одно\n"
    assert "usage" not in err and "Traceback" not in err
