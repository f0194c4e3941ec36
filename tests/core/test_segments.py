"""The 108 classes, 16 clusters and 9 regions of SPEC §4."""

import itertools

import pytest

from core.segments import REGION_NAMES, REGION_OF_CLUSTER, WARMTH_NAMES, class_table, cluster_of, warmth_of_region
from tests.core.reference import reference_cluster


def test_there_are_108_classes_with_unique_codes_in_rfma_order():
    table = class_table()
    assert len(table) == 108
    assert table["class"].is_unique
    assert table["class"].iloc[0] == "1111" and table["class"].iloc[-1] == "4333"
    assert table.set_index("class").loc["1121", "class_name"] == "недавний-частый-средний_чек-ветеран"


def test_class_counts_per_cluster_are_those_of_the_spec():
    counts = class_table().groupby("cluster").size()
    expected = {
        11: 6,
        12: 6,
        13: 3,
        14: 6,
        15: 6,
        21: 6,
        22: 6,
        23: 4,
        24: 5,
        25: 6,
        31: 9,
        32: 9,
        33: 9,
        41: 9,
        42: 9,
        43: 9,
    }
    assert counts.to_dict() == expected
    assert sum(counts.to_dict().values()) == 108


@pytest.mark.parametrize("grades", list(itertools.product(range(1, 5), range(1, 4), range(1, 4), range(1, 4))))
def test_every_class_maps_to_the_cluster_of_the_literal_rule_table(grades):
    assert cluster_of(*grades) == reference_cluster(*grades)


def test_hand_picked_classes():
    assert cluster_of(1, 1, 1, 1) == 11  # recent, frequent, high cheque, veteran: VIP
    assert cluster_of(1, 3, 3, 3) == 14  # a newbie, whatever F
    assert cluster_of(1, 3, 1, 3) == 13
    assert cluster_of(2, 3, 1, 3) == 23  # sleeping newbie with a high cheque
    assert cluster_of(2, 1, 3, 3) == 24
    assert cluster_of(2, 3, 2, 1) == 25
    assert cluster_of(3, 2, 1, 3) == 31  # any age for R=3
    assert cluster_of(4, 3, 1, 1) == 43


def test_regions_and_warmth():
    assert list(REGION_NAMES) == [110, 210, 220, 230, 310, 320, 410, 420, 510]
    assert [c for c, region in REGION_OF_CLUSTER.items() if region == 220] == [13, 14, 23, 24]
    assert WARMTH_NAMES[warmth_of_region(510)] == "холодные"
    assert [warmth_of_region(r) for r in REGION_NAMES] == [1, 2, 2, 2, 3, 3, 4, 4, 5]
    per_region = class_table().groupby("region").size().to_dict()
    assert per_region == {110: 12, 210: 12, 220: 18, 230: 12, 310: 9, 320: 9, 410: 9, 420: 9, 510: 18}


def test_segment_order_is_warmth_then_region_code_with_new_and_other_last():
    from core.segments import segment_order

    # cluster 21 → region 110 (warmth 1), 12 → 210 (2), 25 → 230 (2), 41 → 410 (4), 33 → 510 (5)
    codes = ["33", "новый", "12", "прочие", "41", "25", "21"]
    assert sorted(codes, key=lambda c: segment_order("cluster", c)) == ["21", "12", "25", "41", "33", "новый", "прочие"]
    # class 4311: R=4, F=3 → cluster 43 → region 510; class 2111: R=2, not newbie, VIP profile → 21 → 110
    assert sorted(["4311", "2111"], key=lambda c: segment_order("class", c)) == ["2111", "4311"]
    assert sorted(["510", "110", "230", "220"], key=lambda c: segment_order("region", c)) == [
        "110",
        "220",
        "230",
        "510",
    ]


def test_segment_labels_and_warmth_colours():
    from core.segments import WARMTH_COLORS, segment_color, segment_label

    assert segment_label("region", "410") == "410 ушедший VIP" and segment_label("cluster", "11") == "11 VIP"
    assert segment_label("class", "1121") == "1121" and segment_label("region", "новый") == "новый"
    assert segment_color("cluster", "21") == WARMTH_COLORS[1] and segment_color("class", "4311") == WARMTH_COLORS[5]
    assert segment_color("region", "новый") != segment_color("region", "прочие")
