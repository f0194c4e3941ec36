"""Streamed downloads: «Скачать CSV» keeps the export state under a short-lived token
(`ExportsService.keep_client_list`), and GET <prefix>download/clients.csv?token=… streams the file chunk by chunk
from it (no copy of the whole table)."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

import dash
from flask import Response, current_app, request, stream_with_context

from core.db import DatabaseError
from core.messages import UNREACHABLE
from core.model import RfmaError
from dashboard.services import Services
from dashboard.services.access import AccessDenied
from dashboard.services.exports import ExportExpired

log = logging.getLogger(__name__)

CLIENTS_CSV = "download/clients.csv"
URL_CONFIG = "RFMA_CLIENTS_CSV_URL"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
BAD_LINK = (  # the same route serves «Финал»'s client list and «Миграция»'s flow
    "Неверная ссылка на файл. Вернитесь на вкладку «Финал» или «Миграция» и нажмите «Скачать CSV» ещё раз."
)
FAILED = "Не удалось сформировать файл из-за внутренней ошибки. Подробности записаны в журнал сервера."
BUSY = "Сейчас формируется слишком много файлов одновременно. Попробуйте скачать ещё раз через минуту."
DOWNLOADS_PER_WORKER = 2
_DOWNLOADS = threading.BoundedSemaphore(DOWNLOADS_PER_WORKER)


def register(app: dash.Dash, services: Services) -> None:
    """Add the CSV route to the app's Flask server (under Dash's routes prefix)."""

    def view() -> Response:
        return clients_csv(services)

    app.server.add_url_rule(
        app.config.routes_pathname_prefix + CLIENTS_CSV, endpoint="rfma_clients_csv", view_func=view
    )
    app.server.config[URL_CONFIG] = app.get_relative_path("/" + CLIENTS_CSV)


def client_list_url(token: str) -> str:
    """The link the browser opens to download a kept export."""
    return f"{current_app.config[URL_CONFIG]}?token={token}"


def clients_csv(services: Services) -> Response:
    """The kept client list as a streamed CSV attachment; a bad or expired token is a Russian text error.

    At most DOWNLOADS_PER_WORKER files stream at once in a worker (a reader that never reads holds one), so a few
    slow or stalled readers can never take every thread of every worker; one more gets 503 and a Russian message.
    """
    token = request.args.get("token", "")
    if not TOKEN.fullmatch(token):
        return text_response(BAD_LINK, 400)
    if not _DOWNLOADS.acquire(blocking=False):
        busy = text_response(BUSY, 503)
        busy.headers["Retry-After"] = "60"
        return busy
    try:
        name, chunks = services.exports.kept_client_list(token)
    except ExportExpired as exc:
        _DOWNLOADS.release()
        return text_response(str(exc), 410)
    except AccessDenied as exc:  # a role that may not download client lists
        _DOWNLOADS.release()
        return text_response(str(exc), 403)
    except DatabaseError as exc:
        _DOWNLOADS.release()
        log.warning("client list download: database unreachable: %s", exc)
        return text_response(UNREACHABLE, 503)
    except RfmaError as exc:
        _DOWNLOADS.release()
        return text_response(str(exc), 400)
    except Exception:  # never a traceback in the browser
        _DOWNLOADS.release()
        log.exception("client list download failed")
        return text_response(FAILED, 500)
    response = Response(stream_with_context(_released(chunks)), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass chunks on at once
    response.headers["Cache-Control"] = "no-store"
    return response


def _released(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, giving the download slot back when the stream ends, fails or the client goes away."""
    try:
        yield from chunks
    finally:
        _DOWNLOADS.release()


def attachment(name: str) -> str:
    """Content-Disposition with an ASCII fallback and the real (e.g. Cyrillic) name encoded per RFC 5987."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def text_response(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")
