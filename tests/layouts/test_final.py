"""«Финал» renderers: the tree with its selection, breadcrumb, selection summary, client card — pure functions."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from core.segment_tree import ALL, Segment, segment_tree
from dashboard import ids
from dashboard.services.final import ClientCard, SelectionView
from layouts.final import render_client, render_selection
from layouts.final_tree import class_label_parts, render_breadcrumb, static_tree, tree_list, tree_markup
from tests.support.components import find, text
from tests.support.tree import tree_nodes

NO_CLIENTS = pd.DataFrame(columns=["card", "class", "revenue"])


def one_class_tree() -> pd.DataFrame:
    return segment_tree(pd.DataFrame({"card": ["1", "2"], "class": ["1111", "1112"], "revenue": [10.0, 20.0]}))


def test_the_static_tree_has_every_fixed_node_without_counts():
    nodes = tree_nodes(static_tree())
    assert nodes[ALL].text.endswith("…")
    assert "r510" in nodes and "c43" in nodes


def test_the_tree_is_one_component_of_html():
    """~140 nodes as Dash components took the browser seconds to draw: the tree is one Markdown block of HTML."""
    tree = tree_list(one_class_tree())
    assert type(tree).__name__ == "Markdown" and tree.dangerously_allow_html
    assert isinstance(tree.children, str) and tree.children == tree_markup(one_class_tree())


def test_the_selected_node_is_marked_and_a_selected_class_opens_its_cluster():
    nodes = tree_nodes(tree_list(one_class_tree(), selected="k1112"))
    assert "rfma-tree-selected" in nodes["k1112"].classes
    assert [n for n, node in nodes.items() if "rfma-tree-selected" in node.classes] == ["k1112"]
    assert [n for n, node in nodes.items() if node.in_open_details] == ["c11", "k1111", "k1112"]  # its cluster
    closed = tree_nodes(tree_list(one_class_tree(), selected="r110"))
    assert not [n for n, node in closed.items() if node.in_open_details]


def test_empty_nodes_are_greyed_and_counts_are_russian_numbers():
    nodes = tree_nodes(tree_list(one_class_tree()))
    assert "rfma-tree-empty" in nodes["r510"].classes and "rfma-tree-empty" not in nodes["k1111"].classes
    assert nodes[ALL].text.endswith("2")


def test_labels_are_escaped_html():
    tree = segment_tree(pd.DataFrame({"card": ["1"], "class": ["1111"], "revenue": [1.0]}))
    tree.loc[tree["id"] == "k1111", "label"] = "1111 <b>&\"'"
    nodes = tree_nodes(tree_markup(tree))
    assert nodes["k1111"].title == "1111 <b>&\"'" and "<b>" not in tree_markup(tree).split("k1111", 1)[1][:200]


def label_parts(tree, node: str) -> dict[str, str]:
    """The label spans of a node by their class (code, own words, shared words) and its tooltip."""
    found = tree_nodes(tree)[node]
    return {**found.parts, "title": found.title}


def test_sibling_classes_show_the_words_that_tell_them_apart_first_and_their_full_name_as_tooltip():
    # 1111 and 1112 differ only in the last word (ветеран / опытный): cut at the end they looked the same
    tree = tree_list(one_class_tree())
    assert label_parts(tree, "k1111") == {
        "rfma-tree-code": "1111",
        "rfma-tree-own": "ветеран",
        "rfma-tree-common": "· недавний-частый-высокий чек",
        "title": "1111 недавний-частый-высокий_чек-ветеран",
    }
    assert label_parts(tree, "k1112")["rfma-tree-own"] == "опытный"
    # the cluster's own label: code first, the whole name, no shared part
    assert label_parts(tree, "c13") == {
        "rfma-tree-code": "13",
        "rfma-tree-own": "добро пожаловать VIP",
        "title": "13 добро пожаловать VIP",
    }


def test_class_label_parts_keep_the_differing_words_in_order():
    names = [
        "недавний-частый-высокий_чек-ветеран",
        "недавний-частый-средний_чек-ветеран",
        "недавний-частый-высокий_чек-опытный",
    ]
    assert class_label_parts(names[1], names) == ("средний чек-ветеран", "недавний-частый")
    assert class_label_parts(names[2], names) == ("высокий чек-опытный", "недавний-частый")
    # alone under its cluster: the whole name, nothing shared
    assert class_label_parts(names[0], names[:1]) == ("недавний-частый-высокий чек-ветеран", "")


def test_the_breadcrumb_is_the_path_down_to_the_segment():
    crumb = render_breadcrumb(Segment.parse("k1121"))
    items = crumb.children.children
    labels = [li.children if isinstance(li.children, str) else li.children.children for li in items]
    assert labels[0] == "Все клиенты" and labels[-1].startswith("1121 ") and len(labels) == 5
    assert ["active" in li.className for li in items] == [False] * 4 + [True]
    assert [li.children.id for li in items[:-1]] == [ids.breadcrumb_node(n) for n in ("all", "w1", "r110", "c11")]


def view(clients: int) -> SelectionView:
    points = pd.DataFrame(
        {
            "card": ["1"],
            "recency_days": [3],
            "frequency": [1.0],
            "avg_cheque": [500.0],
            "region": [110],
            "class": ["1111"],
        }
    )
    parts = pd.DataFrame(
        {"level": ["cluster"], "code": ["11"], "label": ["11 VIP"], "clients": [clients], "revenue": [1.0]}
    )
    return SelectionView(
        segment=Segment.parse("r110"),
        clients=clients,
        revenue=1500.0,
        purchases=3,
        share=0.5,
        revenue_share=0.25,
        mean_recency_days=3.0,
        mean_frequency=1.0,
        mean_age_days=40.0,
        breakdown=parts,
        points=points.iloc[: min(clients, 1)],
    )


def test_the_selection_count_uses_russian_plurals():
    assert render_selection(view(1))[1] == "110 VIP: 1 клиент"
    assert render_selection(view(3))[1] == "110 VIP: 3 клиента"
    assert render_selection(view(11))[1] == "110 VIP: 11 клиентов"
    assert render_selection(view(1233))[1] == "110 VIP: 1\u00a0233 клиента"
    assert render_selection(view(51))[1] == "110 VIP: 51 клиент"


def test_the_filters_in_force_are_named_next_to_the_count():
    assert render_selection(view(3))[2] == ""
    filtered = replace(view(3), filters=("R: 1 недавний", "фильтры таблицы: Выручка, ₽ > 300"))
    assert render_selection(filtered)[2] == "Фильтры: R: 1 недавний; фильтры таблицы: Выручка, ₽ > 300"


def test_the_selection_summary_shows_shares_and_the_average_cheque():
    summary = render_selection(view(2))[0]
    assert "50,0\u00a0% базы" in text(summary) and "25,0\u00a0% выручки базы" in text(summary)
    assert "500,00\u00a0₽" in text(summary)  # 1 500 revenue / 3 purchases


def test_a_card_with_cheques_but_no_identified_client_is_explained():
    empty = pd.DataFrame(columns=["datetime", "amount", "shop"])
    assert "не проходит шаблон" in text(render_client(ClientCard("ABC", None, empty)))


def test_codes_in_final_tables_carry_their_meaning_as_tooltips():
    from core.summaries import segment_summary  # noqa: F401  (the tables' frames are plain summaries)
    from layouts.components import table
    from layouts.final import CLUSTER_HINTS, class_grid
    from layouts.final_grid import client_grid

    regions = pd.DataFrame({"region": [110], "cluster": [21]})
    cells = table(regions, {"region": "Регион", "cluster": "Кластер"}, hints=CLUSTER_HINTS).children[1].children[0]
    titles = [cell.title for cell in cells.children]
    assert titles[0].startswith("110 — VIP, прогрев 1 горячие. Наши лучшие клиенты")
    assert titles[1] == "21 — спящий VIP (регион 110 VIP)"
    classes = pd.DataFrame(
        [{c: 1 for c in ("r", "f", "m", "a", "clients", "cluster", "region")} | {"class": "1111", "class_name": "x"}]
    )
    for grid in (class_grid(classes), client_grid()):
        columns = {c["field"]: c for c in grid.columnDefs}
        assert (
            "частота" in columns["f"]["headerTooltip"] and "недавний" in columns["r"]["tooltipValueGetter"]["function"]
        )
        assert "четыре цифры" in columns["class"]["headerTooltip"] and "tooltipValueGetter" in columns["region"]
        assert "tooltipValueGetter" not in columns["clients" if "clients" in columns else "card"]


def client_row(**overrides) -> dict:
    row = {
        "card": "7",
        "first_date": "2022-02-01",
        "last_date": "2022-02-05",
        "purchases": 3,
        "revenue": 270.0,
        "avg_cheque": 90.0,
        "recency_days": 1,
        "age_days": 4,
        "frequency": 0.75,
        "shops": 2,
        "bonus_earned": 13.5,
        "bonus_spent": 3.0,
        "r": 1,
        "f": 1,
        "m": 1,
        "a": 3,
        "warmth": 2,
        "class": "1113",
        "class_name": "недавний-частый-высокий_чек-новичок",
        "cluster": 13,
        "cluster_name": "добро пожаловать VIP",
        "region": 220,
        "region_name": "добро пожаловать",
    }
    return row | overrides


def cheques(n: int) -> pd.DataFrame:
    stamps = pd.date_range("2022-02-01 09:15", periods=n, freq="D")
    return pd.DataFrame(
        {
            "doc_id": [f"x{i:02d}" for i in range(n)],
            "datetime": stamps,
            "shop": ["Аптека 10"] * n,
            "amount": [1500.5] * n,
            "discount": [10.0] * n,
            "bonus_earned": [7.5] * n,
            "bonus_spent": [3.0] * n,
        }
    )


def test_the_client_card_lists_the_newest_cheques_the_pharmacies_and_the_action():
    all_cheques = cheques(3)
    latest = all_cheques.iloc[::-1].reset_index(drop=True)
    shops = pd.DataFrame({"shop": ["Аптека 10"], "cheques": [3], "revenue": [4501.5]})
    card = ClientCard("7", client_row(), all_cheques, latest, shops, "Начинаем активную коммуникацию.")
    rendered = render_client(card)
    table = text(find(rendered, ids.FINAL.CLIENT_CHEQUE_TABLE))
    assert table.index("03.02.2022 09:15") < table.index("01.02.2022 09:15")  # newest first, ДД.ММ.ГГГГ ЧЧ:ММ
    assert "1\u00a0500,50" in table and "10,00" in table and "7,50" in table and "3,00" in table
    assert "3 чека за период" in text(rendered)
    assert "4\u00a0501,50" in text(find(rendered, ids.FINAL.CLIENT_SHOPS))
    action = text(find(rendered, ids.FINAL.CLIENT_ACTION))
    assert "регион 220 добро пожаловать" in action and "Начинаем активную коммуникацию." in action


def test_a_long_cheque_list_says_how_many_are_shown():
    all_cheques = cheques(25)
    card = ClientCard("7", client_row(purchases=25), all_cheques, all_cheques.iloc[:-21:-1], all_cheques.iloc[:0])
    assert "Показаны последние 20 из 25 чеков периода" in text(render_client(card))
    one = ClientCard("7", client_row(purchases=1), cheques(1), cheques(1), cheques(1).iloc[:0])
    assert "1 чек за период" in text(render_client(one))


def test_the_cheque_count_line_says_of_how_many_in_the_genitive():
    from layouts.final import cheque_count_line

    assert cheque_count_line(20, 21) == "Показаны последние 20 из 21 чека периода, новые сверху."
    assert cheque_count_line(20, 25) == "Показаны последние 20 из 25 чеков периода, новые сверху."
    assert cheque_count_line(2, 2) == "2 чека за период, новые сверху."


def test_region_and_cluster_tables_show_the_bonus_economics_with_header_tooltips_and_empty_cells():
    import datetime as dt

    from core.summaries import class_counts, segment_summary
    from dashboard.services.final import FinalView
    from layouts.final import render_final
    from tests.core.test_bonus_economics import hand_graded

    clients = hand_graded()
    view = FinalView(
        classes=class_counts(clients),
        clusters=segment_summary(clients, "cluster"),
        regions=segment_summary(clients, "region"),
        thresholds={"r1": 30},
        analysis_date=dt.date(2022, 2, 15),
        clients=3,
    )
    body = render_final(view)
    for table_id, first in ((ids.FINAL.REGION_TABLE, "110"), (ids.FINAL.CLUSTER_TABLE, "11")):
        table = find(body, table_id)
        heads = {cell.children: getattr(cell, "title", None) for cell in table.children[0].children.children}
        assert "в покупках периода" in heads["Бонусов списано"]
        assert "за всю историю" in heads["LTV на клиента, ₽"] and "сумма без скидки" in heads["Доля скидки"]
        assert heads["Списано / начислено"] and heads["Доля клиентов, списавших бонусы"]
        rows = {
            row.children[0].children: [cell.children for cell in row.children] for row in table.children[1].children
        }
        header = list(heads)
        row = dict(zip(header, rows[first], strict=True))
        assert row["Бонусов начислено"] == "150" and row["Списано / начислено"] == "40,0\u00a0%"
        assert row["Доля скидки"] == "10,00\u00a0%" and row["Доля клиентов, списавших бонусы"] == "50,0\u00a0%"
        assert row["LTV на клиента, ₽"] == "650,00"
    regions = find(body, ids.FINAL.REGION_TABLE)
    cold = next(r for r in regions.children[1].children if r.children[0].children == "510")
    header = [cell.children for cell in regions.children[0].children.children]
    cells = dict(zip(header, [cell.children for cell in cold.children], strict=True))
    assert cells["Списано / начислено"] == "—" and cells["Доля скидки"] == "—"  # a zero denominator: an empty cell
