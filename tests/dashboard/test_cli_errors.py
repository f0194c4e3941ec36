"""Every `rfma` command exits 2 with one line on any error — an unexpected one too, without its text."""

from __future__ import annotations

import pytest

from dashboard import cli


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
