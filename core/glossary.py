"""The glossary a manager reads: what R, F, M, A and the class, cluster and region codes mean (SPEC §2–4).

Plain texts and lookups for the dashboard's «Справка» and the tooltips on codes in its tables. No Dash, no Flask.
"""

from __future__ import annotations

from core.segments import (
    CLUSTER_NAMES,
    GRADE_NAMES,
    REGION_NAMES,
    REGION_OF_CLUSTER,
    REGION_RECOMMENDATIONS,
    WARMTH_NAMES,
    warmth_of_region,
)

# metric → (letter and name, what is measured and in which units, how the grade codes are cut)
METRICS: dict[str, tuple[str, str, str]] = {
    "r": (
        "R — давность (Recency)",
        "дней от последней покупки клиента до даты анализа (последнего чека периода); меньше — лучше",
        "1 — до r1 дней, 2 — до r2, 3 — до r3 (период оттока), 4 — больше r3",
    ),
    "f": (
        "F — частота (Frequency)",
        "покупок за базовый интервал в r1 дней — это темп, а не число покупок: 0,5 значит одна покупка "
        "за два интервала; чем больше, тем лучше",
        "1 — не меньше f1, 2 — между f2 и f1, 3 — не больше f2",
    ),
    "m": (
        "M — средний чек (Monetary)",
        "выручка клиента за период, делённая на число его покупок, в рублях",
        "1 — больше m1, 2 — от m2 до m1, 3 — не больше m2",
    ),
    "a": (
        "A — возраст (Age)",
        "дней от первой покупки клиента за всю историю (и до начала периода) до даты анализа",
        "1 — больше a2 дней, 2 — от a1 до a2, 3 — до a1",
    ),
}
CLASS_CODE = (
    "Класс — четыре цифры R F M A: например, 1121 — недавний, частый, средний чек, ветеран. "
    "Цифра 1 в каждой позиции — лучшая оценка. 4 × 3 × 3 × 3 = 108 классов."
)
CLUSTER_CODE = (
    "Кластер — две цифры: первая — давность R, вторая — профиль клиента. 108 классов сводятся к 16 кластерам."
)
REGION_CODE = (
    "Регион — три цифры: первая — прогрев (1 горячие … 5 холодные). 16 кластеров сводятся к 9 регионам, "
    "и у каждого региона своя рекомендация маркетингу."
)
WARMTH = "Прогрев — насколько клиент «тёплый» для сети: 1 горячие, 2 тёплые, 3 остывающие, 4 остывшие, 5 холодные."

# «Когорты» (SPEC part 2, §7): term → what it means; the tab's tooltips and «Справка» show the same text
COHORT_TERMS: dict[str, str] = {
    "когорта": "Клиенты, впервые купившие в одном календарном месяце — за всю историю сети, а не только за период: "
    "клиент, покупавший до начала периода, в новую когорту не попадает.",
    "удержание": "Удержание (retention) в месяце k — доля клиентов когорты, купивших в k-м месяце после месяца "
    "первой покупки; в месяце 0 оно равно 100 %.",
    "LTV": "LTV (ценность клиента) — накопленная выручка когорты с её первого месяца по месяц k, делённая на число "
    "клиентов когорты, в рублях. Кривые LTV по возрасту когорт: 0–2, 3–5, 6–11, 12–23 и 24+ месяцев на дату анализа.",
    "Парето": "Кривая Парето: клиенты периода по убыванию выручки; показывает, какая доля клиентов приносит какую "
    "долю выручки («20 % клиентов приносят X % выручки»). Группы — по 20 % клиентов: топ 20 %, 20–40 % и т. д.",
    "неполный месяц": "Месяц даты анализа, если она не последний день месяца: его показатели собраны не за весь "
    "месяц и отмечены «*».",
    "период оттока": "Период оттока r3 — порог давности из набора порогов в силе: клиент без покупок дольше r3 дней "
    "считается ушедшим.",
    "новые": "Новые — активные клиенты, чья первая покупка (в сети или в этой аптеке) пришлась на этот месяц.",
    "разовые": "Разовые — активные клиенты не этого месяца с единственной покупкой.",
    "повторные": "Повторные — активные клиенты не этого месяца с двумя и более покупками.",
    "ушедшие": "Ушедшие — клиенты без покупок в этом месяце, активные на конец прошлого месяца и уже не активные "
    "на конец этого (давность больше r3).",
}


def grade_hint(metric: str, code: object) -> str:
    """A grade code's meaning, e.g. 'R 2 — спящий: дней от последней покупки …' ('' for an unknown code)."""
    names = GRADE_NAMES.get(metric, {})
    try:
        number = int(str(code))
    except ValueError:
        return ""
    if number not in names:
        return ""
    return f"{metric.upper()} {number} — {names[number]}: {METRICS[metric][1]}"


def class_hint(code: object) -> str:
    """A class code's digits spelled out, e.g. '1121: R1 недавний · F1 частый · M2 средний_чек · A1 ветеран'."""
    text = str(code)
    if len(text) != 4 or not text.isdigit():
        return ""
    parts = []
    for metric, digit in zip("rfma", text, strict=True):
        name = GRADE_NAMES[metric].get(int(digit))
        if name is None:
            return ""
        parts.append(f"{metric.upper()}{digit} {name}")
    return f"{text}: " + " · ".join(parts)


def cluster_hint(code: object) -> str:
    """A cluster's name and its region, e.g. '21 — спящий VIP (регион 110 VIP)'."""
    try:
        number = int(str(code))
    except ValueError:
        return ""
    if number not in CLUSTER_NAMES:
        return ""
    region = REGION_OF_CLUSTER[number]
    return f"{number} — {CLUSTER_NAMES[number]} (регион {region} {REGION_NAMES[region]})"


def region_hint(code: object) -> str:
    """A region's name, warmth and recommended action."""
    try:
        number = int(str(code))
    except ValueError:
        return ""
    if number not in REGION_NAMES:
        return ""
    warmth = warmth_of_region(number)
    name = f"{number} — {REGION_NAMES[number]}, прогрев {warmth} {WARMTH_NAMES[warmth]}"
    return f"{name}. {REGION_RECOMMENDATIONS[number]}"


# the bonus economics of a segment (core.summaries.BONUS_ECONOMICS): column → (header, what it means)
BONUS_ECONOMICS: dict[str, tuple[str, str]] = {
    "bonus_earned": (
        "Бонусов начислено",
        "Сумма бонусов, начисленных клиентам сегмента за покупки периода",
    ),
    "bonus_spent": (
        "Бонусов списано",
        "Сумма бонусов, которые клиенты сегмента списали (потратили) в покупках периода",
    ),
    "bonus_spent_to_earned": (
        "Списано / начислено",
        "Списанные бонусы сегмента, делённые на начисленные за тот же период; пусто, если ничего не начислено",
    ),
    "bonus_spent_share": (
        "Доля бонусов в выручке",
        "Списанные бонусы сегмента, делённые на его выручку за период (сумму со скидкой); пусто без выручки",
    ),
    "discount_share": (
        "Доля скидки",
        "(сумма без скидки − сумма со скидкой) / сумма без скидки по покупкам сегмента за период; строки без "
        "одной из сумм не учитываются; пусто, если сумма без скидки равна нулю",
    ),
    "bonus_clients_share": (
        "Доля клиентов, списавших бонусы",
        "Доля клиентов сегмента, которые списали бонусы хотя бы раз за период",
    ),
    "ltv": (
        "LTV на клиента, ₽",
        "Выручка клиентов сегмента за всю историю до даты анализа (и до начала периода), делённая на число "
        "клиентов сегмента",
    ),
}
