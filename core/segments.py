"""Grades, the 108 RFMA classes, 16 clusters, 9 regions and their Russian names (SPEC §3–4)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from core.model import Thresholds

RECENCY_NAMES = {1: "недавний", 2: "спящий", 3: "давний", 4: "ушедший"}
FREQUENCY_NAMES = {1: "частый", 2: "редкий", 3: "разовый"}
MONETARY_NAMES = {1: "высокий_чек", 2: "средний_чек", 3: "низкий_чек"}
AGE_NAMES = {1: "ветеран", 2: "опытный", 3: "новичок"}
GRADE_NAMES = {"r": RECENCY_NAMES, "f": FREQUENCY_NAMES, "m": MONETARY_NAMES, "a": AGE_NAMES}

CLUSTER_NAMES = {
    11: "VIP",
    12: "середняк",
    13: "добро пожаловать VIP",
    14: "добро пожаловать",
    15: "случайный гость вернулся",
    21: "спящий VIP",
    22: "спящий середняк",
    23: "спящий добро пожаловать VIP",
    24: "спящий добро пожаловать",
    25: "случайный гость пробует вернуться",
    31: "давний VIP",
    32: "давний середняк",
    33: "давний случайный гость",
    41: "ушедший VIP",
    42: "ушедший середняк",
    43: "ушедший случайный гость",
}

REGION_NAMES = {
    110: "VIP",
    210: "середняк",
    220: "добро пожаловать",
    230: "с возвращением",
    310: "давний VIP",
    320: "давний середняк",
    410: "ушедший VIP",
    420: "ушедший середняк",
    510: "случайный гость",
}

REGION_OF_CLUSTER = {
    11: 110,
    21: 110,
    12: 210,
    22: 210,
    13: 220,
    14: 220,
    23: 220,
    24: 220,
    15: 230,
    25: 230,
    31: 310,
    32: 320,
    41: 410,
    42: 420,
    33: 510,
    43: 510,
}

WARMTH_NAMES = {1: "горячие", 2: "теплые", 3: "остывающие", 4: "остывшие", 5: "холодные"}
WARMTH_COLORS = {1: "#d62728", 2: "#ff7f0e", 3: "#e3b505", 4: "#6baed6", 5: "#2b5fa8"}  # hot red … cold blue

NEW_SOURCE = "новый"
OTHER_FLOWS = "прочие"  # the flows merged beyond the largest ones shown (class-level Sankey)
SEGMENT_LEVELS = ("region", "cluster", "class")


def warmth_of_region(region: int) -> int:
    """Warmth 1 (hot) … 5 (cold): the region code's first digit."""
    return int(str(region)[0])


def _vip_profile(f: int, m: int) -> bool:
    return (f == 1 and m in (1, 2)) or (f == 2 and m == 1)


def cluster_of(r: int, f: int, m: int, a: int) -> int:
    """The cluster (11…43) of one class, by the rules of SPEC §4."""
    newbie = a == 3
    vip = _vip_profile(f, m)
    if r == 1:
        if newbie:
            return 13 if m == 1 else 14
        return 15 if f == 3 else (11 if vip else 12)
    if r == 2:
        if newbie:
            welcome_vip = (f == 1 and m in (1, 2)) or (f in (2, 3) and m == 1)
            return 23 if welcome_vip else 24
        return 25 if f == 3 else (21 if vip else 22)
    if r in (3, 4):
        return r * 10 + (3 if f == 3 else (1 if vip else 2))
    raise ValueError(f"recency grade {r} outside 1..4")


def class_code(r: int, f: int, m: int, a: int) -> str:
    """The class code: the four grades as a 4-digit string, e.g. '1121'."""
    return f"{r}{f}{m}{a}"


def class_name(r: int, f: int, m: int, a: int) -> str:
    """The class description: grade names joined with '-'."""
    return "-".join((RECENCY_NAMES[r], FREQUENCY_NAMES[f], MONETARY_NAMES[m], AGE_NAMES[a]))


def class_table() -> pd.DataFrame:
    """All 108 classes in R, F, M, A order with their cluster, region, warmth and Russian names."""
    rows = []
    for r, f, m, a in itertools.product(RECENCY_NAMES, FREQUENCY_NAMES, MONETARY_NAMES, AGE_NAMES):
        cluster = cluster_of(r, f, m, a)
        region = REGION_OF_CLUSTER[cluster]
        rows.append(
            {
                "r": r,
                "f": f,
                "m": m,
                "a": a,
                "class": class_code(r, f, m, a),
                "class_name": class_name(r, f, m, a),
                "cluster": cluster,
                "cluster_name": CLUSTER_NAMES[cluster],
                "region": region,
                "region_name": REGION_NAMES[region],
                "warmth": warmth_of_region(region),
            }
        )
    return pd.DataFrame(rows)


def _lookup_arrays():
    size = 5000
    cluster = np.zeros(size, dtype=np.int16)
    region = np.zeros(size, dtype=np.int16)
    for r, f, m, a in itertools.product(range(1, 5), range(1, 4), range(1, 4), range(1, 4)):
        index = r * 1000 + f * 100 + m * 10 + a
        cluster[index] = cluster_of(r, f, m, a)
        region[index] = REGION_OF_CLUSTER[cluster[index]]
    return cluster, region


_CLUSTER_BY_CODE, _REGION_BY_CODE = _lookup_arrays()


def grade_recency(recency_days, t: Thresholds) -> np.ndarray:
    """R grade: 1 if D<=r1, 2 if D<=r2, 3 if D<=r3, else 4."""
    d = np.asarray(recency_days)
    return np.select([d <= t.r1, d <= t.r2, d <= t.r3], [1, 2, 3], 4).astype(np.int8)


def grade_frequency(frequency, t: Thresholds) -> np.ndarray:
    """F grade: 1 if F>=f1, 3 if F<=f2, else 2."""
    f = np.asarray(frequency)
    return np.select([f >= t.f1, f <= t.f2], [1, 3], 2).astype(np.int8)


def grade_monetary(avg_cheque, t: Thresholds) -> np.ndarray:
    """M grade: 1 if M>m1, 2 if M>m2, else 3."""
    m = np.asarray(avg_cheque)
    return np.select([m > t.m1, m > t.m2], [1, 2], 3).astype(np.int8)


def grade_age(age_days, t: Thresholds) -> np.ndarray:
    """A grade: 1 if A>a2, 2 if A>a1, else 3."""
    a = np.asarray(age_days)
    return np.select([a > t.a2, a > t.a1], [1, 2], 3).astype(np.int8)


def segment_codes(r, f, m, a) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised class (as integer RFMA), cluster and region codes for arrays of grades."""
    code = (
        np.asarray(r, dtype=np.int16) * 1000
        + np.asarray(f, dtype=np.int16) * 100
        + np.asarray(m, dtype=np.int16) * 10
        + np.asarray(a, dtype=np.int16)
    )
    return code, _CLUSTER_BY_CODE[code], _REGION_BY_CODE[code]


REGION_RECOMMENDATIONS = {
    110: (
        "Наши лучшие клиенты, самая прогретая аудитория, совершающая регулярные покупки на хорошие суммы. "
        "Нужна поощрительная активность: персональные бонусы, повышенные скидки на отдельные категории товара, "
        "расширение действия карты на членов семьи, карты в особом дизайне. Клиенты максимально лояльны — их "
        "можно аккуратно привлекать как фокус-группу для экспериментов и опросов о наших сильных и слабых сторонах."
    ),
    210: (
        "Хорошие «теплые» и очень важные клиенты, отстающие от VIP по частоте покупок или размеру чека. Их много, "
        "их доля в выручке сопоставима с VIP: работа с ними дает серьезный рост выручки, а невнимание — снижение "
        "показателей и отток. Настраивайте стимулы по кластерам и классам: клиентам с низким чеком — акционная "
        "цена при покупке от нескольких штук, редко приходящим — предложения, ограниченные по времени."
    ),
    220: (
        "Наши «теплые» перспективные новички, еще не перегруженные вниманием. Начинаем активную коммуникацию с "
        "приветственных активностей и максимального информирования о наших преимуществах, программах, скидках и "
        "бонусах. Задача — закрепить образ клиентоориентированной компании."
    ),
    230: (
        "Небольшая «теплая» группа клиентов, возобновивших покупки после долгого перерыва. Все активности для "
        "новичков, но начинать со специального приветствия: «Здравствуйте, мы рады, что Вы снова с нами!». "
        "Уместно спросить, почему клиент долго не приходил, — ответ может указать на внутреннюю проблему."
    ),
    310: (
        "«Остывающая» аудитория с высоким статусом, требующая пристального внимания: стимулирующая активность для "
        "«прогрева» и возврата к покупкам и опросная — чтобы выяснить, где мы не дорабатываем и что повлияло на "
        "«остывание». Пакет стимулов — как для VIP."
    ),
    320: (
        "«Остывающая» аудитория: стимулирующая и опросная активности, как для давних VIP, но с более скромным "
        "пакетом предложений — градация VIP/середняк нужна для точной дозировки стимулов."
    ),
    410: (
        "Уже «остывшая» аудитория высокого статуса. Работу начинаем после обратной связи от более «теплых» групп и "
        "«работы над ошибками»: честное сообщение о том, что мы исправили и улучшили, и приглашение вернуться за "
        "новым положительным опытом. Стимулы — щедрее, чем для ушедших середняков."
    ),
    420: (
        "«Остывшая» аудитория: после выяснения причин ухода — сообщение о том, что мы учли претензии и изменились, "
        "с приглашением вернуться. Пакет стимулов скромнее, чем для ушедших VIP."
    ),
    510: (
        "«Холодная» аудитория — клиенты с разовыми покупками, самая многочисленная группа. Минимум взаимодействия: "
        "информационные рассылки общего характера, сезонные акции и поводы, приуроченные к датам и событиям. Они "
        "уже знают о нас и, возможно, готовы «прогреться»."
    ),
}

# Short descriptions of the regions (for the segment report), from the seed's region definitions.
REGION_DESCRIPTIONS = {
    110: "Недавние клиенты, которые покупают часто и на хорошие суммы (и спящие клиенты с тем же профилем): "
    "самая прогретая и ценная аудитория сети.",
    210: "Недавние и спящие постоянные клиенты, отстающие от VIP по частоте покупок или размеру чека.",
    220: "Новички (возраст до a1 дней), недавно или совсем недавно совершившие первые покупки.",
    230: "Клиенты с разовым профилем покупок, вернувшиеся или пробующие вернуться после долгого перерыва.",
    310: "Клиенты с VIP-профилем, давно не покупавшие (давность от r2 до r3 дней): аудитория начинает остывать.",
    320: "Клиенты со средним профилем, давно не покупавшие (давность от r2 до r3 дней).",
    410: "Клиенты с VIP-профилем, не покупавшие дольше периода оттока r3: вероятно, ушли к конкурентам.",
    420: "Клиенты со средним профилем, не покупавшие дольше периода оттока r3.",
    510: "Клиенты с разовыми покупками, давно не возвращавшиеся: самая холодная и обычно самая многочисленная группа.",
}

# What to measure after a campaign for each region.
REGION_SUCCESS_METRICS = {
    110: "Удержание в регионе 110 (доля клиентов, оставшихся VIP), частота покупок, средний чек, отклик на "
    "персональные предложения, оценка удовлетворенности.",
    210: "Переход клиентов в регион 110, рост частоты покупок и среднего чека, доля выручки региона.",
    220: "Доля новичков, совершивших повторную покупку за 30 дней, переход в регионы 110 и 210.",
    230: "Доля клиентов, купивших снова в течение r2 дней, переход в теплые регионы, "
    "ответы на опрос о причинах перерыва.",
    310: "Доля вернувшихся в регион 110, сокращение давности, отклик на стимулы и опросы.",
    320: "Доля вернувшихся в регионы 110 и 210, сокращение давности, отклик на стимулы.",
    410: "Доля реактивированных клиентов (покупка после кампании), выручка вернувшихся, отклик на приглашение.",
    420: "Доля реактивированных клиентов, стоимость возврата одного клиента, выручка вернувшихся.",
    510: "Доля клиентов, совершивших вторую покупку, переход в теплые регионы, отклик на сезонные рассылки.",
}


def segment_region(level: str, code: str) -> int:
    """The region of a region, cluster or class code (as text, e.g. '110', '11', '1121')."""
    if level == "region":
        return int(code)
    if level == "cluster":
        return REGION_OF_CLUSTER[int(code)]
    if level == "class":
        r, f, m, a = (int(ch) for ch in str(code))
        return REGION_OF_CLUSTER[cluster_of(r, f, m, a)]
    raise ValueError(f"segment level {level!r}: expected one of {SEGMENT_LEVELS}")


def segment_order(level: str, code: str) -> tuple[int, int, str]:
    """Sort key of a segment code: warmth, then region code, then the code; «новый», then «прочие» last."""
    if code == NEW_SOURCE:
        return (8, 0, code)
    if code == OTHER_FLOWS:
        return (9, 0, code)
    region = segment_region(level, code)
    return (warmth_of_region(region), region, str(code))


def segment_label(level: str, code: str) -> str:
    """'110 VIP', '11 VIP', '1121' (a class by its code); «новый» and «прочие» as they are."""
    if code in (NEW_SOURCE, OTHER_FLOWS):
        return code
    if level == "region":
        return f"{code} {REGION_NAMES[int(code)]}"
    if level == "cluster":
        return f"{code} {CLUSTER_NAMES[int(code)]}"
    return str(code)


def segment_color(level: str, code: str) -> str:
    """The warmth colour of a segment code; grey for «новый» and «прочие»."""
    if code in (NEW_SOURCE, OTHER_FLOWS):
        return "#6c757d" if code == NEW_SOURCE else "#adb5bd"
    return WARMTH_COLORS[warmth_of_region(segment_region(level, code))]
