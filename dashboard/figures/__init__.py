"""One function per chart: plain data in, a plotly Figure out (no Dash, no database) — testable without a browser.

One module per tab (`clients`, `pharmacies`, `thresholds`, `final`, `migration`) and `common` for what they share.
"""
