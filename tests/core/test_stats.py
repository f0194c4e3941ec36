"""percentile_disc semantics: the smallest observed value with at least q of the values <= it."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from core.stats import disc_rank, histogram, percentile_disc, percentile_disc_hist


def test_percentile_disc_matches_hand_computed_postgres_examples():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert percentile_disc(values, 0.2) == 2  # exactly 20% are <= 2
    assert percentile_disc(values, 0.21) == 3
    assert percentile_disc(values, 0.95) == 10
    assert percentile_disc(values, 0.0) == 1
    assert percentile_disc([5, 1, 3], 0.5) == 3  # unsorted input, ceil(1.5) = 2nd value
    assert percentile_disc([], 0.5) is None


def test_rank_is_exact_where_float_products_would_round_up():
    # 0.95 * 20 is 19 exactly; a float product could ceil to 20 and pick the wrong value
    assert disc_rank(0.95, 20) == 19
    assert disc_rank(0.85, 100) == 85
    assert disc_rank(0.4, 5) == 2
    assert disc_rank(0.2, 1) == 1


@given(
    st.lists(st.integers(min_value=-50, max_value=400), min_size=1, max_size=200),
    st.sampled_from([0.2, 0.4, 0.8, 0.85, 0.95]),
)
def test_percentile_disc_equals_numpy_inverted_cdf(values, q):
    assert percentile_disc(values, q) == np.percentile(values, q * 100, method="inverted_cdf")


@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=300),
    st.sampled_from([0.2, 0.4, 0.8, 0.85, 0.95]),
)
def test_histogram_percentile_equals_percentile_of_values(values, q):
    assert percentile_disc_hist(histogram(values), q) == percentile_disc(values, q)


def test_histogram_percentile_ignores_zero_counts():
    hist = pd.Series([3, 0, 7], index=[1.0, 2.0, 5.0])
    assert percentile_disc_hist(hist, 0.3) == 1.0
    assert percentile_disc_hist(hist, 0.31) == 5.0
