"""Security headers on every response; the Content-Security-Policy admits exactly Dash's own inline scripts."""

from __future__ import annotations

import base64
import hashlib
import re


def test_every_response_carries_the_security_headers(app):
    client = app.server.test_client()
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/download/clients.csv?token=bad"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path


def test_the_policy_hashes_every_inline_script_of_the_page_and_nothing_else_inline(app):
    response = app.server.test_client().get("/")
    policy = response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.get_data(as_text=True), re.S)
    executable = [s for s in scripts if s.strip() and not s.lstrip().startswith("{")]  # JSON config is not run
    assert executable, "the page has inline scripts (Dash's renderer, clientside callbacks)"
    for script in executable:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "*" not in script_src
