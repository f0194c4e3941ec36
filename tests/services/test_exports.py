"""Downloads: the kept client-list export (token, expiry, the data as it is when downloaded) and the report."""

from __future__ import annotations

import pytest

from core.client_filter import ClientFilter
from core.model import RfmaError
from dashboard.services.exports import ClientListExport, ExportExpired
from tests.support.dashboard import FULL


def test_a_kept_export_streams_the_same_file_as_a_direct_one(services, full):
    export = ClientListExport(full, ClientFilter.build("c22"), (("revenue", True),), "excel")
    name, token = services.exports.keep_client_list(export)
    kept_name, kept = services.exports.kept_client_list(token)
    direct_name, direct = services.exports.client_list(export)
    assert name == kept_name == direct_name == "rfma_22_спящий_середняк_2021-07-01_2022-06-30.csv"
    assert b"".join(kept) == b"".join(direct)


def test_an_unknown_token_and_a_bad_format_are_russian_errors(services, full):
    with pytest.raises(ExportExpired, match="устарела"):
        services.exports.kept_client_list("A" * 32)
    with pytest.raises(RfmaError, match="формат CSV"):
        services.exports.keep_client_list(ClientListExport(full, ClientFilter.build(), (), "xlsx"))


def test_a_kept_export_reads_the_data_as_it_is_when_downloaded(make_app, tmp_path):
    from tests.support.chain import append_more, build_chain_database, chain_cheques

    url = build_chain_database(tmp_path / "grow.duckdb", clients=50, anonymous=20)
    app = make_app(url)
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        _, token = services.exports.keep_client_list(ClientListExport(services.requests.build(*FULL), ClientFilter()))
    extra = chain_cheques(clients=5, anonymous=0, seed=7)
    extra["doc_id"] = "X" + extra["doc_id"]
    extra["card"] = "9" + extra["card"].astype(str)
    append_more(url, extra)
    with app.server.test_request_context():
        _, chunks = services.exports.kept_client_list(token)
        content = b"".join(chunks).decode("utf-8-sig")
    assert len(content.splitlines()) == 1 + 55  # the header row and every client, the five new ones included


def test_the_report_names_the_segment_and_the_period(services, full):
    name, html = services.exports.segment_report(full, ClientFilter.build("r110"), "md")
    assert name == "rfma_report_110_VIP_2021-07-01_2022-06-30.md" and "110 VIP" in html


def test_a_kept_flow_export_streams_the_flow_s_csv(services, full):
    import datetime as dt

    from core.migration import Flow
    from dashboard.services.exports import FlowExport

    export = FlowExport(full, dt.date(2022, 1, 15), Flow("region", "новый", "110"), (("revenue", True),), "excel")
    name, token = services.exports.keep_client_list(export)
    kept_name, kept = services.exports.kept_client_list(token)
    direct_name, direct = services.migration.flow_csv(full, "2022-01-15", export.flow, export.sort, "excel")
    expected = "rfma_migration_new_to_110_бонус-дата_2022-01-15_2021-07-01_2022-06-30.csv"
    assert name == kept_name == direct_name == expected
    content = b"".join(direct)
    header = content.decode("utf-8-sig").splitlines()[0]
    assert b"".join(kept) == content and header.startswith("Карта;Регион до;Кластер до;Класс до;")
    with pytest.raises(RfmaError, match="формат CSV"):
        services.exports.keep_client_list(FlowExport(full, dt.date(2022, 1, 15), export.flow, (), "xlsx"))
