"""Response headers every page and route carries: a Content-Security-Policy that Dash works with, no framing,
no MIME sniffing, no referrer to other sites."""

from __future__ import annotations

import dash
from flask import Response

STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def content_security_policy(app: dash.Dash) -> str:
    """Scripts from this server and Dash's own inline scripts (by hash) only.

    'unsafe-eval' stays: AG Grid's value formatters are JavaScript strings compiled in the browser and Plotly's
    WebGL scatter compiles its shaders' code; 'unsafe-inline' styles: Plotly and AG Grid inject <style> elements.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def register(app: dash.Dash) -> None:
    """Add the headers to every response (call after every callback is registered: the policy hashes them)."""
    headers = STATIC_HEADERS | {"Content-Security-Policy": content_security_policy(app)}

    def add_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.server.after_request(add_headers)
