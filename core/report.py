"""The segment report: per region size and share (true counts), revenue share, mean R/F/M/A, description,
marketing strategy and success metrics, plus key insights — built as plain data, rendered to HTML or Markdown.

Based on the seed's online-store report, minus its bug (every segment there claims 8 clients): every number here
is computed from the client list it is given. No Dash, no Flask.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import formatting as fmt
from core.glossary import BONUS_ECONOMICS as BONUS_HEADERS
from core.segments import (
    REGION_DESCRIPTIONS,
    REGION_RECOMMENDATIONS,
    REGION_SUCCESS_METRICS,
    WARMTH_COLORS,
    WARMTH_NAMES,
)
from core.summaries import BONUS_ECONOMICS, segment_summary

EMPTY_MESSAGE = "В выборке нет ни одного клиента: отчёт строить не по чему. Измените сегмент, фильтры или период."
PARETO_REVENUE = 0.8
PARETO_TOP_CLIENTS = 0.2


@dataclass(frozen=True)
class RegionSection:
    region: int
    name: str
    warmth: int
    clients: int
    share: float
    revenue: float
    revenue_share: float
    mean_recency_days: float
    mean_frequency: float
    mean_avg_cheque: float
    mean_age_days: float
    description: str
    strategy: str
    success_metrics: str


@dataclass(frozen=True)
class Insights:
    largest_region: int
    largest_name: str
    largest_clients: int
    largest_share: float
    valuable_region: int
    valuable_name: str
    valuable_revenue: float
    valuable_revenue_share: float
    one_time_share: float
    one_time_clients: int
    pareto_clients_share: float  # this share of clients (the best by revenue) brings PARETO_REVENUE of revenue
    top_clients_revenue_share: float  # the best PARETO_TOP_CLIENTS of clients bring this share of revenue


@dataclass(frozen=True, eq=False)
class SegmentReport:
    title: str
    analysis_date: dt.date | None
    date_from: str
    date_to: str
    created: dt.date
    total_clients: int
    total_revenue: float
    filters: tuple[str, ...]
    thresholds: dict
    regions: tuple[RegionSection, ...]  # non-empty regions, in code order
    # all 9 regions: region, region_name, warmth, clients, share, revenue_share and the bonus economics
    region_counts: pd.DataFrame = field(repr=False)
    insights: Insights | None = None

    @property
    def is_empty(self) -> bool:
        return self.total_clients == 0


_THRESHOLD_NAME = re.compile(r"\b(r[123]|f[12]|m[12]|a[12])\b")


def with_numbers(text: str, thresholds: dict | None) -> str:
    """A description with the thresholds' values instead of their names: «возраст до a1 дней» → «возраст до 365
    дней» (names without a value stay)."""
    values = thresholds or {}
    return _THRESHOLD_NAME.sub(lambda m: fmt.threshold(values[m[1]]) if values.get(m[1]) is not None else m[1], text)


def build_report(
    clients: pd.DataFrame,
    *,
    date_from: str,
    date_to: str,
    analysis_date: dt.date | None,
    thresholds: dict | None = None,
    filters: list[str] | tuple[str, ...] = (),
    title: str = "Сегментация клиентов",
    created: dt.date | None = None,
) -> SegmentReport:
    """The report of a graded client list (columns of core.grading.grade_clients)."""
    summary = segment_summary(clients, "region")
    sections = []
    for row in summary[summary["clients"] > 0].to_dict("records"):
        region = int(row["region"])
        sections.append(
            RegionSection(
                region=region,
                name=row["region_name"],
                warmth=int(row["warmth"]),
                clients=int(row["clients"]),
                share=float(row["share"]),
                revenue=float(row["revenue"]),
                revenue_share=float(row["revenue_share"]),
                mean_recency_days=float(row["mean_recency_days"]),
                mean_frequency=float(row["mean_frequency"]),
                mean_avg_cheque=float(row["mean_avg_cheque"]),
                mean_age_days=float(row["mean_age_days"]),
                description=with_numbers(REGION_DESCRIPTIONS[region], thresholds),
                strategy=with_numbers(REGION_RECOMMENDATIONS[region], thresholds),
                success_metrics=with_numbers(REGION_SUCCESS_METRICS[region], thresholds),
            )
        )
    counts = summary[["region", "region_name", "warmth", "clients", "share", "revenue_share", *BONUS_ECONOMICS]].copy()
    return SegmentReport(
        title=title,
        analysis_date=analysis_date,
        date_from=date_from,
        date_to=date_to,
        created=created or dt.date.today(),
        total_clients=len(clients),
        total_revenue=float(clients["revenue"].sum()) if len(clients) else 0.0,
        filters=tuple(filters),
        thresholds=dict(thresholds or {}),
        regions=tuple(sections),
        region_counts=counts,
        insights=_insights(clients, sections) if sections else None,
    )


def pareto(revenue: np.ndarray) -> tuple[float, float]:
    """(share of clients — the best by revenue — that bring 80% of revenue, revenue share of the best 20%)."""
    values = np.sort(np.asarray(revenue, dtype="float64"))[::-1]
    n, total = len(values), float(values.sum())
    if n == 0 or total <= 0:
        return 0.0, 0.0
    cumulative = np.cumsum(values) / total
    needed = int(np.searchsorted(cumulative, PARETO_REVENUE - 1e-12) + 1)
    top = max(1, math.ceil(PARETO_TOP_CLIENTS * n))
    return min(needed, n) / n, float(cumulative[top - 1])


def _insights(clients: pd.DataFrame, sections: list[RegionSection]) -> Insights:
    largest = max(sections, key=lambda s: (s.clients, -s.region))
    valuable = max(sections, key=lambda s: (s.revenue, -s.region))
    one_time = int((clients["purchases"] == 1).sum())
    clients_share, top_share = pareto(clients["revenue"].to_numpy())
    return Insights(
        largest_region=largest.region,
        largest_name=largest.name,
        largest_clients=largest.clients,
        largest_share=largest.share,
        valuable_region=valuable.region,
        valuable_name=valuable.name,
        valuable_revenue=valuable.revenue,
        valuable_revenue_share=valuable.revenue_share,
        one_time_share=one_time / len(clients),
        one_time_clients=one_time,
        pareto_clients_share=clients_share,
        top_clients_revenue_share=top_share,
    )


def facts(report: SegmentReport) -> list[tuple[str, str]]:
    """The general statistics block: label, value."""
    items = [
        ("Дата анализа", fmt.date(report.analysis_date)),
        ("Период данных", f"{fmt.date(report.date_from)} — {fmt.date(report.date_to)}"),
        ("Всего клиентов в выборке", fmt.number(report.total_clients)),
        ("Выручка выборки", fmt.money(report.total_revenue)),
        ("Регионов с клиентами", f"{len(report.regions)} из 9"),
    ]
    if report.filters:
        items.append(("Выборка", "; ".join(report.filters)))
    if report.thresholds:
        items.append(("Пороги", ", ".join(f"{k} = {fmt.threshold(v)}" for k, v in report.thresholds.items())))
    items.append(("Отчёт сформирован", fmt.date(report.created)))
    return items


def section_facts(section: RegionSection) -> list[tuple[str, str]]:
    return [
        ("Размер сегмента", f"{fmt.count(section.clients, *fmt.CLIENTS)} ({fmt.percent(section.share)} выборки)"),
        ("Доля выручки", fmt.percent(section.revenue_share)),
        ("Recency (средняя давность)", f"{fmt.number(section.mean_recency_days, 1)} дн."),
        ("Frequency (средняя частота F)", fmt.number(section.mean_frequency, 3)),
        ("Monetary (средний чек клиента)", fmt.money(section.mean_avg_cheque, 2)),
        ("Age (средний возраст)", f"{fmt.number(section.mean_age_days, 1)} дн."),
    ]


def bonus_rows(report: SegmentReport) -> list[tuple[int, str, list[str]]]:
    """The bonus economics per region (all 9): code, name, the cells in BONUS_ECONOMICS order ('—' when empty)."""
    rows = []
    for row in report.region_counts.to_dict("records"):
        cells = [
            fmt.money(row[name], 2 if name == "ltv" else 0)
            if name in ("bonus_earned", "bonus_spent", "ltv")
            else fmt.percent(row[name])
            for name in BONUS_ECONOMICS
        ]
        rows.append((int(row["region"]), str(row["region_name"]), cells))
    return rows


BONUS_TITLE = "Бонусы, скидки и LTV по регионам"
BONUS_NOTE = (
    "Бонусы и скидки — по покупкам периода; LTV на клиента — выручка клиентов региона за всю историю до даты "
    "анализа, делённая на число клиентов; «—» — делить не на что."
)


def insight_lines(insights: Insights | None) -> list[str]:
    """The key insights as sentences (none for an empty report)."""
    if insights is None:
        return []
    i = insights
    return [
        f"Самый крупный сегмент — {i.largest_region} «{i.largest_name}»: {fmt.count(i.largest_clients, *fmt.CLIENTS)} "
        f"({fmt.percent(i.largest_share)} выборки).",
        f"Самый ценный сегмент — {i.valuable_region} «{i.valuable_name}»: "
        f"{fmt.percent(i.valuable_revenue_share)} выручки "
        f"({fmt.money(i.valuable_revenue)}).",
        f"Клиенты с одной покупкой: {fmt.number(i.one_time_clients)} ({fmt.percent(i.one_time_share)} выборки).",
        f"Парето: {fmt.percent(i.pareto_clients_share)} клиентов приносят {fmt.percent(PARETO_REVENUE, 0)} выручки; "
        f"{fmt.percent(PARETO_TOP_CLIENTS, 0)} лучших клиентов приносят "
        f"{fmt.percent(i.top_clients_revenue_share)} выручки.",
    ]


# --- HTML ---------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#212529;max-width:960px;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #dee2e6;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #dee2e6;padding:.3rem .5rem;text-align:left}
td.n{text-align:right;white-space:nowrap}th{background:#f1f3f5}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
dt{color:#6c757d}dd{margin:0;font-weight:600}
.empty{background:#fff3cd;border:1px solid #ffe69c;padding:1rem;border-radius:.4rem}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.4rem;color:#fff;font-size:.8rem}
"""


def render_html(report: SegmentReport) -> str:
    """A self-contained HTML page (inline styles, no external resources)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        f"<title>{e(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        "<h2>Общая статистика</h2><dl>",
        *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts(report)),
        "</dl>",
    ]
    if report.is_empty:
        parts.append(f'<p class="empty" id="empty">{e(EMPTY_MESSAGE)}</p></body></html>')
        return "\n".join(parts)
    parts += [
        "<h2>Регионы</h2>",
        "<table><thead><tr><th>Регион</th><th>Название</th><th>Прогрев</th><th>Клиентов</th><th>Доля клиентов</th>"
        "<th>Доля выручки</th></tr></thead><tbody>",
    ]
    for row in report.region_counts.to_dict("records"):
        region, warmth, clients = int(row["region"]), int(row["warmth"]), int(row["clients"])
        parts.append(
            f'<tr data-region="{region}"><td>{region}</td><td>{e(row["region_name"])}</td>'
            f"<td>{warmth} {e(WARMTH_NAMES[warmth])}</td>"
            f'<td class="n" data-clients="{clients}">{fmt.number(clients)}</td>'
            f'<td class="n">{fmt.percent(row["share"])}</td><td class="n">{fmt.percent(row["revenue_share"])}</td></tr>'
        )
    parts.append("</tbody></table>")
    parts += [
        f"<h2>{e(BONUS_TITLE)}</h2>",
        "<table><thead><tr><th>Регион</th><th>Название</th>"
        + "".join(f'<th title="{e(BONUS_HEADERS[n][1])}">{e(BONUS_HEADERS[n][0])}</th>' for n in BONUS_ECONOMICS)
        + "</tr></thead><tbody>",
        *(
            f'<tr data-bonus-region="{region}"><td>{region}</td><td>{e(name)}</td>'
            + "".join(f'<td class="n">{e(cell)}</td>' for cell in cells)
            + "</tr>"
            for region, name, cells in bonus_rows(report)
        ),
        f"</tbody></table><p>{e(BONUS_NOTE)}</p>",
    ]
    for s in report.regions:
        color = WARMTH_COLORS[s.warmth]
        parts += [
            f'<h2 id="region-{s.region}">Регион {s.region}: {e(s.name)} '
            f'<span class="badge" style="background:{color}">{e(WARMTH_NAMES[s.warmth])}</span></h2>',
            "<dl>",
            *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in section_facts(s)),
            "</dl>",
            f"<p><b>Описание.</b> {e(s.description)}</p>",
            f"<p><b>Маркетинговая стратегия.</b> {e(s.strategy)}</p>",
            f"<p><b>Метрики успеха.</b> {e(s.success_metrics)}</p>",
        ]
    parts += [
        "<h2>Ключевые выводы</h2><ol>",
        *(f"<li>{e(line)}</li>" for line in insight_lines(report.insights)),
        "</ol>",
    ]
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Markdown -----------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


def render_markdown(report: SegmentReport) -> str:
    """The same report as Markdown."""
    lines = [f"# {report.title}", "", "## Общая статистика", ""]
    lines += [f"- **{k}:** {_md(v)}" for k, v in facts(report)]
    if report.is_empty:
        lines += ["", f"> {EMPTY_MESSAGE}", ""]
        return "\n".join(lines)
    lines += [
        "",
        "## Регионы",
        "",
        "| Регион | Название | Прогрев | Клиентов | Доля клиентов | Доля выручки |",
        "|---|---|---|---:|---:|---:|",
    ]
    for row in report.region_counts.to_dict("records"):
        region, warmth, clients = int(row["region"]), int(row["warmth"]), int(row["clients"])
        share, revenue_share = fmt.percent(row["share"]), fmt.percent(row["revenue_share"])
        lines.append(
            f"| {region} | {_md(row['region_name'])} | {warmth} {WARMTH_NAMES[warmth]} | "
            f"{fmt.number(clients)} | {share} | {revenue_share} |"
        )
    lines += [
        "",
        f"## {BONUS_TITLE}",
        "",
        "| Регион | Название | " + " | ".join(BONUS_HEADERS[n][0] for n in BONUS_ECONOMICS) + " |",
        "|---|---|" + "---:|" * len(BONUS_ECONOMICS),
        *(f"| {region} | {_md(name)} | " + " | ".join(cells) + " |" for region, name, cells in bonus_rows(report)),
        "",
        BONUS_NOTE,
    ]
    for s in report.regions:
        lines += ["", f"## Регион {s.region}: {s.name} ({WARMTH_NAMES[s.warmth]})", "", "**Характеристики:**", ""]
        lines += [f"- {k}: {v}" for k, v in section_facts(s)]
        lines += [
            "",
            f"**Описание.** {s.description}",
            "",
            f"**Маркетинговая стратегия.** {s.strategy}",
            "",
            f"**Метрики успеха.** {s.success_metrics}",
        ]
    lines += ["", "## Ключевые выводы", ""]
    lines += [f"{n}. {line}" for n, line in enumerate(insight_lines(report.insights), start=1)]
    return "\n".join(lines) + "\n"


def render(report: SegmentReport, fmt: str) -> str:
    """'html' or 'md'."""
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    raise ValueError(f"unknown report format {fmt!r}")
