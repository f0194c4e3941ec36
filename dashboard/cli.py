"""The `rfma` command line: demo, import, thresholds, classify, export, migrate, report, cohorts, pareto, dynamics,
snapshot, history, campaign, placebo, serve."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from typing import NoReturn

import sqlalchemy as sa

from core import formatting as fmt
from core.db import DatabaseError, first_line, is_default_database, make_engine, resolve_database_url
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins, parse_date
from core.writers import writing
from dashboard.appdb.users import ROLES

EXIT_USAGE = 2
DEBUG_ENV = "RFMA_DEBUG"


class CliError(Exception):
    """A one-line error for the user; the CLI exits with code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one Russian line for two options that exclude each other (e.g. `--region` and `--cluster` of
    `rfma cohorts`) instead of the English usage text; other usage errors stay argparse's (exit 2 either way)."""

    def error(self, message: str) -> NoReturn:
        both = re.fullmatch(r"argument (\S+): not allowed with argument (\S+)", message)
        if both:
            self.exit(EXIT_USAGE, f"{self.prog}: ошибка: {both[2]} и {both[1]} вместе: укажите что-то одно\n")
        super().error(message)


def _add_db(parser: argparse.ArgumentParser, source: bool = True) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL (else --source, else the first named source, else $RFMA_DATABASE_URL, else the demo)",
    )
    if source:
        parser.add_argument(
            "--source", metavar="NAME", help="a named data source of $RFMA_SOURCES_FILE / $RFMA_SOURCES (not with --db)"
        )


def _add_period(parser: argparse.ArgumentParser, pins: bool = True) -> None:
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day of the period (inclusive)")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day of the period (inclusive)")
    parser.add_argument("--amount-column", default="summ_with_disc", choices=("summ_with_disc", "summ"))
    parser.add_argument(
        "--card-pattern", default=r"^\d+$", help=r"regular expression of an identified card (default ^\d+$)"
    )
    if pins:
        parser.add_argument(
            "--pin",
            action="append",
            metavar="NAME=VALUE",
            help="pin a threshold over the chain's threshold set, e.g. r1=21 (repeatable)",
        )
        parser.add_argument(
            "--suggested",
            action="store_true",
            help="ignore the chain's threshold set: every threshold not given by --pin is suggested from the data",
        )
        _add_app_db(parser)


def _add_app_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--app-db",
        metavar="URL",
        help="the application database with the chain's threshold set "
        "(else $RFMA_APP_DATABASE_URL, else rfma-app.sqlite in the state directory)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = Parser(prog="rfma", description="RFMA segmentation of loyalty-card clients")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="(re)create the demo pharmacy chain's cheques table")
    _add_db(demo)
    demo.add_argument("--scale", type=float, default=1.0, help="multiply clients and cheques by K")
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: the fixed demo seed)")
    demo.add_argument("--force", action="store_true", help="replace a table that rfma demo did not create")

    imp = sub.add_parser("import", help="append cheques from a CSV file (all or nothing)")
    imp.add_argument("file", metavar="FILE.csv")
    _add_db(imp)
    imp.add_argument("--map", action="append", metavar="TARGET=SOURCE", help="table column = CSV column (repeatable)")
    imp.add_argument(
        "--date-format",
        choices=("ISO", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"),
        help="the file's date format (default: detected; slash dates that read both ways need it)",
    )
    imp.add_argument(
        "--min-date",
        metavar="YYYY-MM-DD",
        help="earliest accepted cheque date (else $RFMA_IMPORT_MIN_DATE, else 1990-01-01)",
    )
    imp.add_argument(
        "--max-date",
        metavar="YYYY-MM-DD",
        help="latest accepted cheque date (else $RFMA_IMPORT_MAX_DATE, else tomorrow)",
    )

    thr = sub.add_parser("thresholds", help="print the thresholds in force (the chain's set + suggestions) as JSON")
    _add_db(thr)
    _add_period(thr)
    thr.add_argument(
        "--save",
        action="store_true",
        help="save the pinned thresholds in force as the chain's threshold set (the dashboard uses it too)",
    )
    thr.add_argument("--history", action="store_true", help="print the chain's threshold sets, newest first")

    cls = sub.add_parser("classify", help="write every identified client's class, cluster and region to CSV")
    _add_db(cls)
    _add_period(cls)
    cls.add_argument("--out", required=True, metavar="FILE.csv")
    cls.add_argument("--region", action="append", type=int, help="only clients of this region (repeatable)")
    cls.add_argument("--cluster", action="append", type=int, help="only clients of this cluster (repeatable)")
    cls.add_argument("--class", dest="class_", action="append", help="only clients of this class (repeatable)")

    exp = sub.add_parser(
        "export", help="write the client list a manager opens in Excel (as the dashboard's «Скачать CSV»)"
    )
    _add_db(exp)
    _add_period(exp)
    exp.add_argument("--out", metavar="FILE.csv", help="default: the dashboard's file name, in the current folder")
    exp.add_argument(
        "--format",
        default="excel",
        choices=("excel", "csv"),
        help="excel: ';', decimal comma, ДД.ММ.ГГГГ, the card as Excel text (default); csv: ',', ISO dates",
    )
    exp.add_argument(
        "--columns", default="ru", choices=("ru", "machine"), help="header row: Russian (default) or machine names"
    )
    exp.add_argument(
        "--describe",
        action="store_true",
        help="'#' lines (period, thresholds, filters, count) above the header; read with pd.read_csv(comment='#')",
    )
    exp.add_argument("--region", action="append", type=int, help="only clients of this region (repeatable)")
    exp.add_argument("--cluster", action="append", type=int, help="only clients of this cluster (repeatable)")
    exp.add_argument("--class", dest="class_", action="append", help="only clients of this class (repeatable)")

    rep = sub.add_parser("report", help="write the segment report (per region: size, revenue, R/F/M/A, strategy)")
    _add_db(rep)
    _add_period(rep)
    rep.add_argument("--out", required=True, metavar="FILE.html|FILE.md", help="the format follows the extension")
    rep.add_argument("--region", action="append", type=int, help="only clients of this region (repeatable)")
    rep.add_argument("--cluster", action="append", type=int, help="only clients of this cluster (repeatable)")
    rep.add_argument("--class", dest="class_", action="append", help="only clients of this class (repeatable)")

    mig = sub.add_parser("migrate", help="write the region→region migration matrix across a bonus date")
    mig.add_argument("--bonus-date", required=True, metavar="YYYY-MM-DD")
    _add_db(mig)
    _add_period(mig)
    mig.add_argument("--level", default="region", choices=("region", "cluster", "class"))
    mig.add_argument("--out", required=True, metavar="FILE.csv")

    coh = sub.add_parser(
        "cohorts", help="write the cohort table (one row per cohort × month: retention, revenue, LTV) to CSV"
    )
    _add_db(coh)
    _add_period(coh)
    segment = coh.add_mutually_exclusive_group()
    segment.add_argument("--region", type=int, help="only the clients of this region of the period's classification")
    segment.add_argument("--cluster", type=int, help="only the clients of this cluster of the period's classification")
    segment.add_argument("--class", dest="class_", help="only the clients of this class of the period's classification")
    coh.add_argument("--out", required=True, metavar="FILE.csv")

    par = sub.add_parser("pareto", help="print the Pareto figures of the period's clients by revenue as JSON")
    _add_db(par)
    _add_period(par, pins=False)

    dyn = sub.add_parser(
        "dynamics",
        help="write the client-base dynamics (active, new, one-time, repeat, lapsed) per month, chain and pharmacy",
    )
    _add_db(dyn)
    _add_period(dyn)
    dyn.add_argument("--out", required=True, metavar="FILE.csv")

    book = sub.add_parser(
        "workbook", help="write the whole dashboard as one Excel workbook (every table of the period, with charts)"
    )
    _add_db(book)
    _add_period(book)
    book.add_argument("--bonus-date", metavar="YYYY-MM-DD", help="add «Миграция»'s matrix across this bonus date")
    book.add_argument("--level", default="region", choices=("region", "cluster", "class"), help="the matrix's level")
    book.add_argument("--out", required=True, metavar="FILE.xlsx")

    snap = sub.add_parser(
        "snapshot",
        help="store the period's classification (every client's class, cluster, region) as a segment-history snapshot",
    )
    _add_db(snap)
    _add_period(snap)
    snap.add_argument(
        "--monthly",
        action="store_true",
        help="one snapshot per month end e between --from and --to, each classifying [--from, e] (backfill)",
    )

    hist = sub.add_parser("history", help="write the segment history: region sizes of every snapshot (or clients)")
    _add_db(hist)
    _add_app_db(hist)
    hist.add_argument(
        "--clients", action="store_true", help="every client of every snapshot: card, class, cluster, region"
    )
    hist.add_argument("--snapshot", action="append", type=int, metavar="ID", help="only this snapshot (repeatable)")
    hist.add_argument("--out", required=True, metavar="FILE.csv")

    serve = sub.add_parser("serve", help="start the dashboard")
    _add_db(serve, source=False)  # with named sources the dashboard serves them all
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--debug", action="store_true")
    serve.add_argument(
        "--no-auth",
        action="store_true",
        help="no login: one person on this computer (only with a loopback --host), acting as an administrator",
    )
    _add_app_db(serve)

    users = sub.add_parser("users", help="the people who may log in to the dashboard (the application database)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a user (the password from standard input, or asked twice)")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=ROLES)
    users_sub.add_parser("list", help="list the users")
    role = users_sub.add_parser("set-role", help="change a user's role (their sessions end)")
    role.add_argument("login")
    role.add_argument("role", choices=ROLES)
    disable = users_sub.add_parser("disable", help="disable a user (their sessions end at once)")
    disable.add_argument("login")
    enable = users_sub.add_parser("enable", help="enable a disabled user")
    enable.add_argument("login")
    passwd = users_sub.add_parser("passwd", help="change a user's password (their sessions end)")
    passwd.add_argument("login")
    grant = users_sub.add_parser(
        "grant", help="the data sources a user may use (names of $RFMA_SOURCES_FILE / $RFMA_SOURCES), or --all"
    )
    grant.add_argument("login")
    grant.add_argument("sources", nargs="*", metavar="SOURCE")
    grant.add_argument("--all", action="store_true", help="every source, present and future")
    for command in (add, role, disable, enable, passwd, grant, users_sub.choices["list"]):
        _add_app_db(command)

    _add_campaign_parsers(sub)

    audit = sub.add_parser("audit", help="write the audit log (logins, downloads, threshold saves, user changes)")
    audit.add_argument("--since", metavar="YYYY-MM-DD", help="entries from this day on (UTC)")
    audit.add_argument("--out", required=True, metavar="FILE.csv")
    _add_app_db(audit)
    return parser


def _add_campaign_parsers(sub) -> None:
    camp = sub.add_parser("campaign", help="campaigns with a control group (SPEC §9): create, list, report")
    camp_sub = camp.add_subparsers(dest="campaign_command", required=True)
    create = camp_sub.add_parser(
        "create", help="freeze a segment's clients as a campaign and write its target group (never the control) to CSV"
    )
    create.add_argument("name", metavar="NAME")
    _add_db(create)
    _add_period(create)
    segment = create.add_mutually_exclusive_group()
    segment.add_argument("--region", type=int, help="the clients of this region of the period's classification")
    segment.add_argument("--cluster", type=int, help="the clients of this cluster of the period's classification")
    segment.add_argument("--class", dest="class_", help="the clients of this class of the period's classification")
    create.add_argument("--control", type=float, default=0.10, metavar="P", help="control share, 0 < P < 0.5 (0.10)")
    create.add_argument("--window", type=int, default=30, metavar="W", help="measurement window in days (30)")
    create.add_argument("--out", required=True, metavar="TARGET.csv")
    listing = camp_sub.add_parser("list", help="print the campaigns (JSON)")
    _add_db(listing)
    _add_app_db(listing)
    report = camp_sub.add_parser("report", help="print a campaign's measured effect (JSON)")
    report.add_argument("name", metavar="NAME")
    _add_db(report)
    _add_app_db(report)
    report.add_argument("--amount-column", default="summ_with_disc", choices=("summ_with_disc", "summ"))
    report.add_argument(
        "--responders", metavar="FILE.csv", help="also write the responders (card, group, purchases, revenue)"
    )
    glob = camp_sub.add_parser(
        "global-control", help="print the programme's global control share, or set it (0 = no global control group)"
    )
    glob.add_argument("share", nargs="?", type=float, metavar="G")
    _add_app_db(glob)

    placebo = sub.add_parser("placebo", help="print the placebo check of a migration across a bonus date (JSON)")
    placebo.add_argument("--bonus-date", required=True, metavar="YYYY-MM-DD")
    _add_db(placebo)
    _add_period(placebo)


def resolve_source(args) -> None:
    """Put the database of --source NAME into args.db (or, with named sources and neither option, the first one's),
    and its name into args.source_name; a URL is never printed."""
    from dashboard.sources import ENV_SOURCES, ENV_SOURCES_FILE, load_sources

    name = getattr(args, "source", None)
    args.source_name = None
    if name and args.db:
        raise CliError("--db и --source вместе: укажите что-то одно")
    if not name and args.db:
        return
    sources = load_sources(os.environ.get(ENV_SOURCES_FILE), os.environ.get(ENV_SOURCES))
    if name:
        found = next((source for source in sources if source.name == name), None)
        if found is None:
            known = ", ".join(source.name for source in sources)
            where = (
                f"есть: {known}" if known else f"именованные источники не заданы ({ENV_SOURCES_FILE}, {ENV_SOURCES})"
            )
            raise CliError(f"--source {name!r}: такого источника нет; {where}")
    elif sources:
        found = sources[0]
    else:
        return
    args.db, args.source_name = found.url, found.name


def open_engine(url: str | None) -> sa.Engine:
    """The engine for --db/env/default; the default demo database is generated on first use."""
    from core.loading import ensure_demo_database

    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    ensure_demo_database(engine, resolved)
    return engine


def _options(args) -> AnalysisOptions:
    return AnalysisOptions(card_pattern=args.card_pattern, amount_column=args.amount_column)


def cmd_demo(args) -> int:
    from core.demo import DEMO_SEED, generate_demo_cheques
    from core.loading import replace_with_demo

    if args.scale <= 0:
        raise CliError(f"--scale {args.scale}: должно быть больше 0")
    seed = DEMO_SEED if args.seed is None else args.seed
    engine = make_engine(resolve_database_url(args.db))
    frame = generate_demo_cheques(scale=args.scale, seed=seed)
    with writing(engine):
        rows = replace_with_demo(engine, frame, seed=seed, scale=args.scale, force=args.force)
    print(
        f"демо-данные записаны: {fmt.count(rows, *fmt.CHEQUES)}, {fmt.count(frame['card'].nunique(), *fmt.CLIENTS)} → "
        f"{engine.url.render_as_string(hide_password=True)}"
    )
    return 0


def cmd_import(args) -> int:
    from core.importer import ImportRules, append_checked, parse_mapping, read_cheques_csv
    from core.loading import refresh_statistics

    rules = ImportRules.from_settings(args.min_date, args.max_date, args.date_format)
    frame = read_cheques_csv(args.file, parse_mapping(args.map), rules)
    if frame.empty:
        print(f"файл {args.file}: нет строк с данными, ничего не записано")
        return 0
    engine = make_engine(resolve_database_url(args.db))
    with writing(engine):  # DuckDB: the dashboard's readers step aside while this writes
        with engine.begin() as conn:
            counts = append_checked(conn, frame, args.file)
        refresh_statistics(engine)
    print(f"прочитано строк: {counts.rows_read}")
    print(f"добавлено чеков: {counts.cheques_added} (строк: {counts.rows_added})")
    print(f"пропущено уже загруженных чеков: {counts.cheques_skipped} (строк: {counts.rows_skipped})")
    print(f"строк с отрицательной суммой (возвраты): {int((frame['summ_with_disc'] < 0).sum())}")
    if dropped := frame.attrs.get("offsets_dropped"):
        print(f"дат со смещением часового пояса (взято местное время, смещение отброшено): {dropped}")
    return 0


def threshold_sets(args):
    """The chain's threshold sets of --db in the application database of --app-db (or the settings' default)."""
    from dashboard.appdb import open_threshold_sets
    from dashboard.settings import Settings

    settings = Settings.from_env(database_url=args.db, app_database_url=getattr(args, "app_db", None))
    return open_threshold_sets(settings.app_database_url, settings.database_url, settings.pins_path)


def pins_in_force(args) -> ThresholdPins:
    """--pin over the chain's threshold set (or over nothing with --suggested); says on stderr which set is used."""
    typed = ThresholdPins.parse(args.pin)
    if args.suggested:
        return typed
    chain = threshold_sets(args).current()
    if chain is None:
        return typed
    print(
        f"пороги: набор сети ({chain.describe()}; сохранил: {chain.saved_by}, "
        f"{fmt.date_time(chain.saved_at)} UTC); --suggested — без него",
        file=sys.stderr,
    )
    return ThresholdPins.from_mapping(chain.pins.as_dict() | typed.as_dict())


def cmd_thresholds(args) -> int:
    import getpass

    from core.client_base import load_client_base
    from core.thresholds import suggest_thresholds

    if args.history:
        for record in threshold_sets(args).history(limit=1000):
            print(f"{fmt.date_time(record.saved_at)} UTC\t{record.saved_by}\t{record.origin}\t{record.describe()}")
        return 0
    pins = pins_in_force(args)
    base = load_client_base(open_engine(args.db), Period.parse(args.date_from, args.date_to), _options(args))
    suggestion = suggest_thresholds(base, pins)  # an unordered set is refused before it could be saved
    if args.save:
        from dashboard.appdb import AuditLog
        from dashboard.appdb.audit import THRESHOLDS_SAVED
        from dashboard.settings import default_source_name

        sets = threshold_sets(args)
        saved = sets.save(pins, getpass.getuser(), "rfma")
        name = args.source_name or default_source_name(resolve_database_url(args.db))
        AuditLog(sets.engine).record(operator(), THRESHOLDS_SAVED, saved.describe(), source=name)
        print(f"набор порогов сети сохранён: {saved.describe()}", file=sys.stderr)
    print(json.dumps(suggestion.as_json(base.analysis_date), ensure_ascii=False, indent=2))
    return 0


def cmd_classify(args) -> int:
    from core.classify import classify
    from core.export import filter_segment, write_classified_csv

    result = classify(
        open_engine(args.db), Period.parse(args.date_from, args.date_to), pins_in_force(args), _options(args)
    )
    clients = filter_segment(result.clients, regions=args.region, clusters=args.cluster, classes=args.class_)
    write_classified_csv(clients, args.out)
    message = result.message
    print(f"клиентов записано: {len(clients)} → {args.out}" + (f" ({message})" if message else ""))
    for warning in result.suggestion.warnings if not message else ():
        print(f"предупреждение: {warning}", file=sys.stderr)
    return 0


def _segment_filters(args) -> list[str]:
    """The --region/--cluster/--class filters in words."""
    return [
        f"{name}: {', '.join(map(str, values))}"
        for name, values in (("регионы", args.region), ("кластеры", args.cluster), ("классы", args.class_))
        if values
    ]


def cmd_export(args) -> int:
    import numpy as np

    from core.classify import classify
    from core.client_filter import TABLE_COLUMNS, sort_positions
    from core.export import client_list_filename, client_list_header, filter_segment, iter_client_list_csv
    from core.formatting import CLIENTS, count
    from core.periods import resolved_bounds

    period = Period.parse(args.date_from, args.date_to)
    result = classify(open_engine(args.db), period, ThresholdPins.parse(args.pin), _options(args), with_shops=True)
    if result.message:
        raise CliError(result.message)
    clients = filter_segment(result.clients, regions=args.region, clusters=args.cluster, classes=args.class_)
    clients = clients.reset_index(drop=True)
    order = sort_positions(clients, np.arange(len(clients)), (("revenue", True),))  # the table's default order
    date_from, date_to = (str(day) for day in resolved_bounds(result.base))
    filters = _segment_filters(args)
    segment = "_".join(" ".join(filters).replace(":", "").replace(",", "").split()) or "все_клиенты"
    out = args.out or client_list_filename(segment, date_from, date_to)
    header = []
    if args.describe:
        thresholds = result.thresholds.as_dict() if result.thresholds else {}
        title = f"клиенты ({'; '.join(filters)})" if filters else "все клиенты"
        header = client_list_header(
            title, date_from, date_to, result.base.analysis_date, thresholds, filters, len(clients)
        )
    with open(out, "wb") as file:
        for piece in iter_client_list_csv(clients, TABLE_COLUMNS, header, args.format, rows=order, names=args.columns):
            file.write(piece)
    print(f"записано: {count(len(clients), *CLIENTS)} → {out}")
    for warning in result.suggestion.warnings:
        print(f"предупреждение: {warning}", file=sys.stderr)
    return 0


REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "md"}


def cmd_report(args) -> int:
    from pathlib import Path

    from core.classify import classify
    from core.export import filter_segment
    from core.periods import resolved_bounds
    from core.report import build_report, render

    kind = REPORT_FORMATS.get(Path(args.out).suffix.lower())
    if kind is None:
        raise CliError(f"--out {args.out}: ожидается файл .html или .md")
    period = Period.parse(args.date_from, args.date_to)
    result = classify(open_engine(args.db), period, pins_in_force(args), _options(args))
    clients = filter_segment(result.clients, regions=args.region, clusters=args.cluster, classes=args.class_)
    filters = _segment_filters(args)
    analysis = result.base.analysis_date
    date_from, date_to = resolved_bounds(result.base) if analysis else (period.date_from, period.date_to)
    report = build_report(
        clients,
        date_from=str(date_from or ""),
        date_to=str(date_to or ""),
        analysis_date=analysis,
        thresholds=result.thresholds.as_dict() if result.thresholds else {},
        filters=filters,
    )
    Path(args.out).write_text(render(report, kind), encoding="utf-8")
    regions = fmt.count(len(report.regions), "регион", "региона", "регионов")
    print(f"отчёт записан: {fmt.count(len(clients), *fmt.CLIENTS)}, {regions} → {args.out}")
    return 0


def cmd_migrate(args) -> int:
    from core.migration import migrate

    bonus_date = parse_date(args.bonus_date, "--bonus-date")
    result = migrate(
        open_engine(args.db),
        bonus_date,
        Period.parse(args.date_from, args.date_to),
        pins_in_force(args),
        _options(args),
    )
    matrix = result.matrix(args.level)
    matrix["revenue_after"] = matrix["revenue_after"].astype(float).round(2)
    matrix.to_csv(args.out, index=False)
    shares = result.shares()
    print(
        f"клиентов: {int(matrix['clients'].sum())}, новых: {shares['new']}; потеплели {shares['warmed_share']:.1%}, "
        f"остались {shares['stayed_share']:.1%}, остыли {shares['cooled_share']:.1%} → {args.out}"
    )
    return 0


def _require_cheques(engine: sa.Engine, period: Period) -> None:
    """CliError (exit 2) when the period has no cheque."""
    from core.messages import NO_CHEQUES
    from core.periods import period_bounds

    with engine.connect() as conn:
        if period_bounds(conn, period) is None:
            raise CliError(NO_CHEQUES)


def _one(value) -> list | None:
    return None if value is None else [value]


def cmd_cohorts(args) -> int:
    from core.classify import classify
    from core.cohorts import load_cohorts
    from core.export import filter_segment

    period = Period.parse(args.date_from, args.date_to)
    ThresholdPins.parse(args.pin)  # a bad --pin is refused even without a segment
    engine = open_engine(args.db)
    _require_cheques(engine, period)
    cards = None
    if args.region is not None or args.cluster is not None or args.class_ is not None:
        result = classify(engine, period, pins_in_force(args), _options(args))
        clients = filter_segment(result.clients, _one(args.region), _one(args.cluster), _one(args.class_))
        cards = clients["card"].astype(str).tolist()
    table = load_cohorts(engine, period, _options(args), cards).table()
    table["partial"] = table["partial"].map({True: "true", False: "false"})
    table.to_csv(args.out, index=False, na_rep="")
    print(f"когорт: {table['cohort'].nunique()}, ячеек: {len(table)} → {args.out}")
    return 0


def cmd_pareto(args) -> int:
    from core.cohorts import load_pareto

    period = Period.parse(args.date_from, args.date_to)
    engine = open_engine(args.db)
    _require_cheques(engine, period)
    print(json.dumps(load_pareto(engine, period, _options(args)).as_json(), ensure_ascii=False, indent=2))
    return 0


def cmd_dynamics(args) -> int:
    from core.client_base import load_client_base
    from core.cohorts import load_dynamics
    from core.thresholds import suggest_thresholds

    period = Period.parse(args.date_from, args.date_to)
    pins = pins_in_force(args)
    engine = open_engine(args.db)
    _require_cheques(engine, period)
    base = load_client_base(engine, period, _options(args))
    thresholds = suggest_thresholds(base, pins).thresholds
    if thresholds is None:  # no identified client: no churn period in force
        raise CliError(base.empty_message() or "пороги не определены")
    table = load_dynamics(engine, thresholds.r3, period, _options(args)).table()
    table.to_csv(args.out, index=False)
    shops = table["shop"].nunique() - 1
    print(f"месяцев: {table['month'].nunique()}, аптек: {shops}, r3 = {thresholds.r3} → {args.out}")
    return 0


def snapshot_store(args):
    """The segment-history snapshots of --db in the application database of --app-db (or the settings' default)."""
    from dashboard.appdb import open_snapshots
    from dashboard.settings import Settings

    settings = Settings.from_env(database_url=args.db, app_database_url=getattr(args, "app_db", None))
    return open_snapshots(settings.app_database_url, settings.database_url)


def cmd_snapshot(args) -> int:
    from core.classify import classify_series
    from core.history import month_ends

    period = Period.parse(args.date_from, args.date_to)
    if args.monthly and (period.date_from is None or period.date_to is None):
        raise CliError("--monthly: укажите начало и конец ряда (--from и --to)")
    periods = [period]
    if args.monthly:
        assert period.date_from is not None and period.date_to is not None
        ends = month_ends(period.date_from, period.date_to)
        if not ends:
            raise CliError(
                f"между {fmt.date(period.date_from)} и {fmt.date(period.date_to)} нет ни одного последнего дня месяца"
            )
        periods = [Period(period.date_from, end) for end in ends]
    pins = pins_in_force(args)
    engine = open_engine(args.db)
    _require_cheques(engine, period)
    store, options = snapshot_store(args), _options(args)
    origin = "rfma --monthly" if args.monthly else "rfma"
    saved_any = False
    for one, result in zip(periods, classify_series(engine, periods, pins, options), strict=True):
        if result.message and args.monthly:  # a month end before the first identified cheque: nothing to keep
            print(f"{fmt.date(one.date_to)}: снимок не сделан — {result.message}", file=sys.stderr)
            continue
        saved = store.save_classification(result, options, pins, operator(), origin)
        saved_any = True
        for warning in result.suggestion.warnings:
            print(f"предупреждение ({fmt.date(one.date_to or saved.snapshot.as_of)}): {warning}", file=sys.stderr)
        snapshot = saved.snapshot
        again = " (заменил прежний снимок того же периода и порогов)" if saved.replaced else ""
        print(
            f"снимок {snapshot.id}: на {fmt.date(snapshot.as_of)}, период {fmt.date(snapshot.date_from)} – "
            f"{fmt.date(snapshot.date_to)}, {fmt.count(snapshot.clients, *fmt.CLIENTS)}{again}"
        )
    if not saved_any:
        raise CliError("ни одного снимка не сделано: в периоде нет идентифицированных клиентов")
    return 0


def cmd_history(args) -> int:
    from dashboard.appdb.snapshots import HISTORY_CLIENT_COLUMNS, HISTORY_COLUMNS

    store = snapshot_store(args)
    known = {snapshot.id for snapshot in store.all()}
    wanted = args.snapshot
    for snapshot_id in wanted or ():
        if snapshot_id not in known:
            raise CliError(f"--snapshot {snapshot_id}: такого снимка у этого источника нет")
    if args.clients:
        rows = 0
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(HISTORY_CLIENT_COLUMNS) + "\n")
            for frame in store.client_rows(wanted):
                frame.to_csv(handle, index=False, header=False)
                rows += len(frame)
        print(f"строк: {rows} (снимков: {len(wanted or known)}) → {args.out}")
        return 0
    table = store.region_sizes()
    if wanted:
        table = table[table["snapshot_id"].isin(wanted)]
    table.to_csv(args.out, index=False, columns=HISTORY_COLUMNS)
    print(f"снимков: {table['snapshot_id'].nunique()}, строк: {len(table)} → {args.out}")
    return 0


def cmd_workbook(args) -> int:
    """The dashboard's workbook («Скачать всё в Excel») for the period and thresholds of the arguments."""
    from flask import Flask

    from dashboard.services import build_services
    from dashboard.services.access import Identity
    from dashboard.services.cache import create_cache
    from dashboard.services.tables import Selection
    from dashboard.services.workbook import ThresholdSource
    from dashboard.settings import Settings

    if args.bonus_date:
        parse_date(args.bonus_date, "--bonus-date")
    settings = Settings.from_env(
        database_url=args.db,
        app_database_url=args.app_db,
        cache_type="SimpleCache",  # this process only
        card_pattern=args.card_pattern,
        amount_column=args.amount_column,
    )
    services = build_services(settings, create_cache(Flask(__name__), settings))
    typed = ThresholdPins.parse(args.pin).as_dict()
    chain = None if args.suggested else services.threshold_sets.current()
    if typed:
        draft: dict | None = (chain.pins.as_dict() if chain else {}) | typed
        source = ThresholdSource("cli")
    elif args.suggested:
        draft, source = {}, ThresholdSource("suggested")
    else:
        draft = None
        source = ThresholdSource("chain", chain.saved_by, chain.saved_at) if chain else ThresholdSource("suggested")
    request = services.requests.build(args.date_from, args.date_to, draft)
    selection = Selection(bonus_date=args.bonus_date, level=args.level)
    name, data = services.downloads.workbook_file(request, selection, source, Identity(operator(), "admin"))
    with open(args.out, "wb") as handle:
        handle.write(data)
    print(f"книга {name}: {fmt.count(len(data) // 1024, 'КБ', 'КБ', 'КБ')} → {args.out}")
    return 0


def cmd_serve(args) -> int:
    from dashboard.app import create_app
    from dashboard.appdb import Users, app_engine
    from dashboard.auth import LOOPBACK_HOSTS
    from dashboard.settings import Settings

    overrides: dict = {"app_database_url": args.app_db}
    if args.no_auth:
        if args.host not in LOOPBACK_HOSTS:
            raise CliError(f"--no-auth только для этого компьютера: --host {args.host} недопустим, нужен 127.0.0.1")
        overrides["auth"] = "none"
    settings = Settings.from_env(database_url=args.db, **overrides)
    if args.db and settings.sources:
        raise CliError(
            "--db вместе с именованными источниками (RFMA_SOURCES_FILE / RFMA_SOURCES): панель показывает источники "
            "из них; уберите --db"
        )
    if settings.auth == "none" and args.host not in LOOPBACK_HOSTS:
        raise CliError(f"RFMA_AUTH=none только для этого компьютера: --host {args.host} недопустим, нужен 127.0.0.1")
    if settings.auth == "login" and not Users(app_engine(settings.app_database_url)).any():
        raise CliError(
            "нет ни одного пользователя; создайте администратора: rfma users add admin --role admin "
            "(или запустите для себя одного: rfma serve --no-auth)"
        )
    check_port_free(args.host, args.port)  # before anything is built or announced
    for source in settings.data_sources:  # create the demo if needed, then let the app open its own
        if is_default_database(source.url):
            open_engine(source.url).dispose()
    app = create_app(settings)
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


def check_port_free(host: str, port: int) -> None:
    """CliError (one line, exit 2) when the address cannot be listened on, e.g. another server holds the port."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        reason = "занят другой программой" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise CliError(f"адрес {host}:{port} недоступен — {reason}; выберите другой: --port N") from None


def app_settings(args):
    """The settings of --app-db (or the environment's application database)."""
    from dashboard.settings import Settings

    return Settings.from_env(app_database_url=getattr(args, "app_db", None))


def operator() -> str:
    """Who runs the CLI, for the audit log: 'rfma:' and the operating system's user."""
    import getpass

    return f"rfma:{getpass.getuser()}"


def read_password(login: str) -> str:
    """The new password: standard input's first line when it is not a terminal, else asked twice (not echoed)."""
    import getpass

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("пароль не передан на стандартный ввод")
        return password
    first = getpass.getpass(f"пароль для {login}: ")
    if first != getpass.getpass("ещё раз: "):
        raise CliError("пароли не совпадают")
    return first


def granted_sources(args) -> list[str] | None:
    """The sources of `rfma users grant` (None: --all), each a configured source's name."""
    if args.all == bool(args.sources):
        raise CliError("укажите источники по именам или --all (одно из двух)")
    if args.all:
        return None
    known = [source.name for source in app_settings(args).data_sources]
    for name in args.sources:
        if name not in known:
            raise CliError(f"источника {name!r} нет; есть: {', '.join(known)}")
    return list(dict.fromkeys(args.sources))


def cmd_users(args) -> int:
    from dashboard.appdb import ROLE_NAMES, AuditLog, Users, app_engine
    from dashboard.appdb.audit import USER_CHANGED

    engine = app_engine(app_settings(args).app_database_url)
    users, audit = Users(engine), AuditLog(engine)
    command = args.users_command
    if command == "list":
        for user in users.all():
            state = "отключён" if user.disabled else "активен"
            sources = "все источники" if user.sources is None else ", ".join(user.sources)
            print(f"{user.login}\t{user.role} ({ROLE_NAMES[user.role]})\t{state}\t{sources}")
        return 0
    if command == "add":
        user = users.add(args.login, read_password(args.login), args.role)
        detail = f"добавлен {user.login}, роль {user.role}"
    elif command == "set-role":
        user = users.set_role(args.login, args.role)
        detail = f"{user.login}: роль {user.role}"
    elif command == "disable":
        user = users.disable(args.login)
        detail = f"{user.login}: отключён"
    elif command == "enable":
        user = users.enable(args.login)
        detail = f"{user.login}: включён"
    elif command == "grant":
        user = users.grant(args.login, granted_sources(args))
        sources = "все источники" if user.sources is None else "источники " + ", ".join(user.sources)
        detail = f"{user.login}: {sources}"
    else:
        user = users.set_password(args.login, read_password(args.login))
        detail = f"{user.login}: пароль изменён"
    audit.record(operator(), USER_CHANGED, detail)
    print(detail)
    return 0


def cmd_audit(args) -> int:
    import csv
    import datetime as dt

    from dashboard.appdb import AuditLog, app_engine
    from dashboard.appdb.audit import AUDIT_COLUMNS

    since = parse_date(args.since, "--since") if args.since else None
    start = dt.datetime.combine(since, dt.time()) if since else None
    entries = AuditLog(app_engine(app_settings(args).app_database_url)).entries(start)
    with open(args.out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(AUDIT_COLUMNS)
        for entry in entries:
            rows = "" if entry.rows is None else entry.rows
            writer.writerow([entry.at.isoformat(sep=" "), entry.user, entry.action, entry.detail, rows])
    print(f"записей журнала: {len(entries)} → {args.out}")
    return 0


def campaign_store(args):
    """The campaigns of --app-db (or the environment's application database)."""
    from dashboard.appdb import Campaigns, app_engine

    return Campaigns(app_engine(app_settings(args).app_database_url))


def _source_name(args) -> str:
    from core.db import resolve_database_url as resolve
    from dashboard.appdb import source_key

    return source_key(resolve(args.db))


def cmd_campaign(args) -> int:
    return {
        "create": cmd_campaign_create,
        "list": cmd_campaign_list,
        "report": cmd_campaign_report,
        "global-control": cmd_campaign_global,
    }[args.campaign_command](args)


def cmd_campaign_create(args) -> int:
    from core.campaigns import TARGET, check_control_share, check_window
    from core.classify import classify
    from core.export import filter_segment
    from dashboard.appdb.audit import AuditLog
    from dashboard.appdb.campaigns import CAMPAIGN_CREATED, check_name, make_campaign

    store = campaign_store(args)
    name = check_name(args.name)
    check_control_share(args.control)
    check_window(args.window)
    if store.exists(name):
        raise CliError(f"кампания «{name}» уже есть: выберите другое название")
    period = Period.parse(args.date_from, args.date_to)
    pins = pins_in_force(args)
    engine = open_engine(args.db)
    _require_cheques(engine, period)
    result = classify(engine, period, pins, _options(args))
    if result.base.analysis_date is None or result.thresholds is None:
        raise CliError(result.message or "в периоде нет идентифицированных клиентов")
    clients = filter_segment(result.clients, _one(args.region), _one(args.cluster), _one(args.class_))
    selection = campaign_selection(result, args)
    campaign, members = make_campaign(
        store,
        name,
        _source_name(args),
        selection,
        result.base.analysis_date,
        clients["card"].astype(str).tolist(),
        args.control,
        args.window,
        operator(),
    )
    target = clients[clients["card"].astype(str).isin(members.loc[members["group"] == TARGET, "card"])]
    table = target[["card", "class", "cluster", "region"]].sort_values("card", kind="stable")
    table.to_csv(args.out, index=False)
    AuditLog(store.engine).record(
        operator(), CAMPAIGN_CREATED, f"кампания «{name}»: {selection}", rows=len(table), source=_source_name(args)
    )
    print(
        f"кампания «{name}»: {fmt.count(campaign.clients, *fmt.CLIENTS)}, целевая группа {len(table)}, "
        f"контрольная {campaign.control_clients}; старт {fmt.date(campaign.start_date)}, "
        f"окно {campaign.window_days} дн. "
        f"→ {args.out}"
    )
    return 0


def campaign_selection(result, args) -> str:
    """The selection of `rfma campaign create` in words: period, thresholds in force, segment."""
    from core.periods import resolved_bounds

    first, last = resolved_bounds(result.base)
    thresholds = ", ".join(
        f"{name} = {fmt.threshold_plain(value).replace('.', ',')}"
        for name, value in result.thresholds.as_dict().items()
    )
    parts = [f"период {fmt.date(first)} — {fmt.date(last)}", f"пороги: {thresholds}"]
    for label, value in (("регион", args.region), ("кластер", args.cluster), ("класс", args.class_)):
        if value is not None:
            parts.append(f"{label} {value}")
    if len(parts) == 2:
        parts.append("все клиенты")
    return "; ".join(parts)


def cmd_campaign_list(args) -> int:
    from core.campaigns import latest_cheque_date
    from dashboard.appdb.campaigns import window_status

    engine = open_engine(args.db)
    last = latest_cheque_date(engine)
    listing = [
        {
            "name": c.name,
            "start_date": c.start_date.isoformat(),
            "window_days": c.window_days,
            "window_end": c.full_end.isoformat(),
            "status": window_status(c, last),
            "control_share": c.control_share,
            "global_control_share": c.global_share,
            "clients": c.clients,
            "target": c.target_clients,
            "control": c.control_clients,
            "selection": c.selection,
            "source": c.source,
            "created_by": c.created_by,
            "created_at": c.created_at.isoformat(sep=" "),
        }
        for c in campaign_store(args).all()
    ]
    print(json.dumps(listing, ensure_ascii=False, indent=2))
    return 0


def cmd_campaign_report(args) -> int:
    from core.campaigns import load_campaign_effect

    store = campaign_store(args)
    campaign = store.get(" ".join(args.name.split()))
    if campaign is None:
        known = ", ".join(f"«{c.name}»" for c in store.all()[:10])
        raise CliError(f"кампании «{args.name}» нет" + (f"; есть: {known}" if known else ""))
    effect = load_campaign_effect(
        open_engine(args.db),
        store.members(campaign.id),
        campaign.start_date,
        campaign.window_days,
        AnalysisOptions(amount_column=args.amount_column),
    )
    report = {"name": campaign.name, **effect.as_json()}
    if campaign.source != _source_name(args):
        report["warnings"].append("Кампания создана на другом источнике данных: проверьте --db / --source.")
    if args.responders:
        responders = effect.responders()
        responders["revenue"] = responders["revenue"].round(2)
        responders.to_csv(args.responders, index=False)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def cmd_campaign_global(args) -> int:
    from dashboard.appdb.audit import AuditLog
    from dashboard.appdb.campaigns import GLOBAL_SHARE_SAVED

    store = campaign_store(args)
    if args.share is None:
        print(json.dumps({"global_control_share": store.global_share()}))
        return 0
    share = store.set_global_share(args.share, operator())
    AuditLog(store.engine).record(operator(), GLOBAL_SHARE_SAVED, f"глобальная контрольная группа: {share}")
    print(json.dumps({"global_control_share": share}))
    return 0


def cmd_placebo(args) -> int:
    from core.campaigns import placebo_check

    bonus_date = parse_date(args.bonus_date, "--bonus-date")
    check = placebo_check(
        open_engine(args.db),
        bonus_date,
        Period.parse(args.date_from, args.date_to),
        pins_in_force(args),
        _options(args),
    )
    print(json.dumps(check.as_json(), ensure_ascii=False, indent=2))
    if not check.available:
        print(f"rfma placebo: {check.message}", file=sys.stderr)
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "import": cmd_import,
    "thresholds": cmd_thresholds,
    "classify": cmd_classify,
    "export": cmd_export,
    "report": cmd_report,
    "migrate": cmd_migrate,
    "cohorts": cmd_cohorts,
    "pareto": cmd_pareto,
    "dynamics": cmd_dynamics,
    "workbook": cmd_workbook,
    "snapshot": cmd_snapshot,
    "history": cmd_history,
    "serve": cmd_serve,
    "users": cmd_users,
    "audit": cmd_audit,
    "campaign": cmd_campaign,
    "placebo": cmd_placebo,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rfma` console script; every error prints one line to stderr and exits 2.

    An unexpected error prints its type only (its text may hold data such as card numbers); set RFMA_DEBUG=1 to
    get the traceback instead.
    """
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "source"):
            resolve_source(args)
        return COMMANDS[args.command](args)
    except (RfmaError, DatabaseError, CliError) as exc:
        print(f"rfma {args.command}: ошибка: {exc}", file=sys.stderr)
    except sa.exc.SQLAlchemyError as exc:
        print(f"rfma {args.command}: ошибка базы данных: {first_line(exc)}", file=sys.stderr)
    except OSError as exc:
        print(f"rfma {args.command}: ошибка: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"rfma {args.command}: прервано", file=sys.stderr)
    except Exception as exc:
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        print(
            f"rfma {args.command}: внутренняя ошибка ({type(exc).__name__}); "
            f"подробности: {DEBUG_ENV}=1 rfma {args.command} …",
            file=sys.stderr,
        )
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
