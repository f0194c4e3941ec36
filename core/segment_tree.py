"""The segment tree of graded clients: warmth → region → cluster → class, node ids, counts and one-level breakdowns.

Pure pandas over the frame of `core.grading.grade_clients`. No Dash, no Flask.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from core.model import RfmaError
from core.segments import CLUSTER_NAMES, REGION_NAMES, REGION_OF_CLUSTER, WARMTH_NAMES, class_table, warmth_of_region

ALL = "all"
_PREFIX = {"warmth": "w", "region": "r", "cluster": "c", "class": "k"}
_LEVEL_OF_PREFIX = {v: k for k, v in _PREFIX.items()}
_CODE_LENGTH = {"warmth": 1, "region": 3, "cluster": 2, "class": 4}
ALL_LABEL = "Все клиенты"


@dataclass(frozen=True)
class Segment:
    """One node of the segment tree: all clients, a warmth (1…5), a region, a cluster or a class."""

    level: str = "all"
    code: str = ""

    @classmethod
    def parse(cls, node_id: str | None) -> Segment:
        """A segment from a node id: 'all', 'w1', 'r110', 'c11', 'k1121' (None or '' = all clients)."""
        if not node_id or node_id == ALL:
            return cls()
        node_id = str(node_id)
        level = _LEVEL_OF_PREFIX.get(node_id[:1])
        code = node_id[1:]
        if level is None or not code.isdigit() or len(code) != _CODE_LENGTH[level] or not _known(level, code):
            raise RfmaError(f"неизвестный сегмент {node_id!r}")
        return cls(level, code)

    @property
    def node_id(self) -> str:
        return ALL if self.level == "all" else _PREFIX[self.level] + self.code

    @property
    def name(self) -> str:
        """The Russian name of the segment (without its code)."""
        if self.level == "all":
            return ALL_LABEL
        code = int(self.code)
        if self.level == "warmth":
            return WARMTH_NAMES[code]
        if self.level == "region":
            return REGION_NAMES[code]
        if self.level == "cluster":
            return CLUSTER_NAMES[code]
        return _class_info()[self.code][0]

    @property
    def label(self) -> str:
        """Code and name, e.g. '110 VIP'."""
        return ALL_LABEL if self.level == "all" else f"{self.code} {self.name}"

    def parent(self) -> Segment | None:
        if self.level == "all":
            return None
        if self.level == "warmth":
            return Segment()
        if self.level == "region":
            return Segment("warmth", str(warmth_of_region(int(self.code))))
        if self.level == "cluster":
            return Segment("region", str(REGION_OF_CLUSTER[int(self.code)]))
        return Segment("cluster", str(_class_info()[self.code][1]))

    def path(self) -> list[Segment]:
        """From all clients down to this segment (the breadcrumb)."""
        chain: list[Segment] = []
        node: Segment | None = self
        while node is not None:
            chain.append(node)
            node = node.parent()
        return chain[::-1]

    def mask(self, clients: pd.DataFrame) -> pd.Series:
        """Which clients of a graded frame belong to this segment."""
        if self.level == "all":
            return pd.Series(True, index=clients.index)
        if self.level == "warmth":
            return clients["warmth"].astype("int64") == int(self.code)
        if self.level == "class":
            return clients["class"].astype(str) == self.code
        return clients[self.level].astype("int64") == int(self.code)

    def file_part(self) -> str:
        """For file names: code and name with spaces as underscores, e.g. '110_VIP', 'все_клиенты'."""
        text = "все клиенты" if self.level == "all" else f"{self.code} {self.name}"
        return "_".join(text.replace("/", " ").split())


def _known(level: str, code: str) -> bool:
    value = int(code)
    if level == "warmth":
        return value in WARMTH_NAMES
    if level == "region":
        return value in REGION_NAMES
    if level == "cluster":
        return value in CLUSTER_NAMES
    return code in _class_info()


@functools.lru_cache(maxsize=1)
def _class_info() -> dict[str, tuple[str, int]]:
    """class code → (class name, cluster); the fixed 108 classes."""
    table = class_table()
    return {c: (n, int(k)) for c, n, k in zip(table["class"], table["class_name"], table["cluster"], strict=False)}


def segment_tree(clients: pd.DataFrame) -> pd.DataFrame:
    """Every node of warmth → region → cluster → class with client counts and revenue.

    Columns: id, parent ('' for the root), level, code, label, clients, revenue. All warmths, regions and
    clusters are listed (empty ones with 0); classes only when they have clients. Root first, then depth-first
    in code order.
    """
    classes = class_table()
    if clients.empty:
        counts = pd.DataFrame({"clients": pd.Series(dtype="int64"), "revenue": pd.Series(dtype="float64")})
    else:
        counts = clients.groupby(clients["class"].astype(str)).agg(clients=("card", "size"), revenue=("revenue", "sum"))
    classes = classes.join(counts, on="class")
    classes["clients"] = classes["clients"].fillna(0).astype("int64")
    classes["revenue"] = classes["revenue"].fillna(0.0).astype("float64")
    rows = [
        {
            "id": ALL,
            "parent": "",
            "level": "all",
            "code": "",
            "label": ALL_LABEL,
            "clients": int(classes["clients"].sum()),
            "revenue": float(classes["revenue"].sum()),
        }
    ]
    for warmth, by_warmth in classes.groupby("warmth", sort=True):
        rows.append(_node("warmth", warmth, ALL, by_warmth))
        for region, by_region in by_warmth.groupby("region", sort=True):
            rows.append(_node("region", region, f"w{warmth}", by_region))
            for cluster, by_cluster in by_region.groupby("cluster", sort=True):
                rows.append(_node("cluster", cluster, f"r{region}", by_cluster))
                for item in by_cluster[by_cluster["clients"] > 0].to_dict("records"):
                    rows.append(
                        {
                            "id": f"k{item['class']}",
                            "parent": f"c{cluster}",
                            "level": "class",
                            "code": str(item["class"]),
                            "label": f"{item['class']} {item['class_name']}",
                            "clients": int(item["clients"]),
                            "revenue": float(item["revenue"]),
                        }
                    )
    return pd.DataFrame(rows, columns=["id", "parent", "level", "code", "label", "clients", "revenue"])


def _node(level: str, code, parent: str, part: pd.DataFrame) -> dict:
    segment = Segment(level, str(code))
    return {
        "id": segment.node_id,
        "parent": parent,
        "level": level,
        "code": str(code),
        "label": segment.label,
        "clients": int(part["clients"].sum()),
        "revenue": float(part["revenue"].sum()),
    }


_CHILD_LEVEL = {"all": "region", "warmth": "region", "region": "cluster", "cluster": "class", "class": "class"}


def breakdown(clients: pd.DataFrame, segment: Segment) -> pd.DataFrame:
    """Clients and revenue of a selection by the level below its segment (regions of all clients, clusters of a
    region, classes of a cluster …): columns level, code, label, clients, revenue, in code order."""
    level = _CHILD_LEVEL[segment.level]
    if clients.empty:
        return pd.DataFrame({"level": [], "code": [], "label": [], "clients": [], "revenue": []}).astype(
            {"clients": "int64", "revenue": "float64"}
        )
    grouped = clients.groupby(clients[level].astype(str)).agg(clients=("card", "size"), revenue=("revenue", "sum"))
    grouped = grouped.sort_index()
    labels = [Segment(level, code).label for code in grouped.index]
    return pd.DataFrame(
        {
            "level": level,
            "code": grouped.index.to_numpy(),
            "label": labels,
            "clients": grouped["clients"].to_numpy(dtype="int64"),
            "revenue": grouped["revenue"].to_numpy(dtype="float64"),
        }
    )
