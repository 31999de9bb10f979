"""What a seed must decide in a generated frame, and what it must leave alone."""

from collections.abc import Callable

import pandas as pd


def assert_the_seed_draws_exactly(frame_for: Callable[[int], pd.DataFrame], drawn: list[str]):
    """The same seed gives the identical frame; another seed changes every column in ``drawn``
    (each is drawn from the generator) and no other (identifiers and fixed grids)."""
    first, again, other = frame_for(5), frame_for(5), frame_for(6)

    pd.testing.assert_frame_equal(first, again)
    changed = [column for column in first.columns if not first[column].equals(other[column])]
    assert changed == drawn, f"another seed changed {changed}; it should change {drawn}"
