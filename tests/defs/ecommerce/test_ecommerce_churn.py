"""Churn label, train/validation/test split and model selection."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.ecommerce.churn import (
    CHURN_AFTER_DAYS,
    FEATURES,
    LABEL,
    MAX_DEPTH_CANDIDATES,
    ChurnModelReport,
    churn_dataset,
    split_dataset,
    train_churn_model,
)


def make_customer_ltv(last_orders: list[str]) -> pd.DataFrame:
    """A customer_ltv frame with one customer per last order date, numbered from 1."""
    n = len(last_orders)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "total_spent": np.linspace(100.0, 200.0, n),
            "avg_order_value": np.linspace(50.0, 60.0, n),
            "order_count": np.arange(2, n + 2),
            "first_order": pd.Timestamp("2024-01-01"),
            "last_order": pd.to_datetime(last_orders),
            "customer_days": np.arange(100, 100 + n),
            "ltv_score": np.linspace(300.0, 400.0, n),
        }
    )


def make_dataset(n_rows: int, n_churned: int) -> pd.DataFrame:
    """A churn dataset whose first ``n_churned`` customers churned."""
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n_rows + 1),
            **{feature: np.arange(n_rows, dtype=float) for feature in FEATURES},
            LABEL: [1] * n_churned + [0] * (n_rows - n_churned),
        }
    )


def make_learnable_dataset(n_rows: int, seed: int) -> pd.DataFrame:
    """Customers who churned exactly when they placed fewer than three orders."""
    rng = np.random.default_rng(seed)
    order_count = rng.integers(1, 10, n_rows)
    total_spent = order_count * rng.uniform(20, 200, n_rows)
    customer_days = rng.integers(1, 366, n_rows)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n_rows + 1),
            "total_spent": total_spent,
            "avg_order_value": total_spent / order_count,
            "order_count": order_count,
            "customer_days": customer_days,
            "ltv_score": total_spent / np.maximum(customer_days, 30) * 365,
            LABEL: (order_count < 3).astype(int),
        }
    )


def test_churn_dataset_labels_customers_silent_for_more_than_churn_after_days():
    assert CHURN_AFTER_DAYS == 60  # the boundary dates below assume it
    customer_ltv = make_customer_ltv(
        [
            "2024-12-31 12:00",  # the latest order: 0 days -> active
            "2024-11-01 12:00",  # exactly 30 + 30 = 60 days before -> active (not more than 60)
            "2024-11-01 11:59",  # 60 days and 1 minute before -> churned
            "2024-06-01 00:00",  # long silent -> churned
            "2024-12-15 08:00",  # 16 days before -> active
        ]
    )

    dataset = churn_dataset(customer_ltv)

    assert dataset[LABEL].tolist() == [0, 0, 1, 1, 0]


def test_churn_dataset_measures_silence_from_the_latest_order_in_the_data():
    # The latest order is 2024-03-31, so 2024-01-31 is 60 days before (active), 01-30 is 61.
    customer_ltv = make_customer_ltv(["2024-03-31", "2024-01-31", "2024-01-30"])

    assert churn_dataset(customer_ltv)[LABEL].tolist() == [0, 0, 1]


def test_churn_dataset_keeps_id_and_features_but_not_order_dates():
    dataset = churn_dataset(make_customer_ltv(["2024-12-31", "2024-01-01"]))

    assert list(dataset.columns) == ["customer_id", *FEATURES, LABEL]
    assert "first_order" not in dataset.columns
    assert "last_order" not in dataset.columns
    assert dataset["customer_id"].tolist() == [1, 2]


def test_churn_dataset_label_is_integer():
    dataset = churn_dataset(make_customer_ltv(["2024-12-31", "2024-01-01"]))

    assert pd.api.types.is_integer_dtype(dataset[LABEL])


def test_split_dataset_sizes_are_60_20_20():
    training, validation, test = split_dataset(make_dataset(100, n_churned=30), seed=0)

    assert (len(training), len(validation), len(test)) == (60, 20, 20)


def test_split_dataset_parts_are_disjoint_and_cover_every_row():
    dataset = make_dataset(100, n_churned=30)

    training, validation, test = split_dataset(dataset, seed=0)

    ids = [set(part["customer_id"]) for part in (training, validation, test)]
    assert ids[0].isdisjoint(ids[1])
    assert ids[0].isdisjoint(ids[2])
    assert ids[1].isdisjoint(ids[2])
    assert ids[0] | ids[1] | ids[2] == set(dataset["customer_id"])


def test_split_dataset_resets_each_index():
    parts = split_dataset(make_dataset(100, n_churned=30), seed=0)

    assert [part.index.tolist() for part in parts] == [list(range(60)), *[list(range(20))] * 2]


def test_split_dataset_is_deterministic_for_a_seed():
    dataset = make_dataset(100, n_churned=30)

    first = split_dataset(dataset, seed=7)
    second = split_dataset(dataset, seed=7)

    for left, right in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(left, right)


def test_the_seed_decides_who_is_in_each_part_and_nothing_else():
    dataset = make_dataset(100, n_churned=30)

    parts_a = split_dataset(dataset, seed=1)
    parts_b = split_dataset(dataset, seed=2)

    # Every part's members change with the seed (the validation set too: both draws use it)...
    members = [
        (set(a["customer_id"]), set(b["customer_id"]))
        for a, b in zip(parts_a, parts_b, strict=True)
    ]
    assert [ids_a != ids_b for ids_a, ids_b in members] == [True, True, True]
    # ...while the sizes and the churned share of each part do not.
    for parts in (parts_a, parts_b):
        assert [(len(part), int(part[LABEL].sum())) for part in parts] == [
            (60, 18),
            (20, 6),
            (20, 6),
        ]


def test_split_dataset_stratifies_when_both_classes_have_five_members():
    training, validation, test = split_dataset(make_dataset(100, n_churned=30), seed=3)

    # 30% churned everywhere: 18 of 60, 6 of 20, 6 of 20
    assert [part[LABEL].sum() for part in (training, validation, test)] == [18, 6, 6]


@pytest.mark.parametrize("n_churned", [0, 1, 4])
def test_split_dataset_splits_a_class_with_fewer_than_five_members_unstratified(n_churned):
    # stratifying a class of one (or none) would make scikit-learn raise
    training, validation, test = split_dataset(make_dataset(100, n_churned=n_churned), seed=0)

    assert (len(training), len(validation), len(test)) == (60, 20, 20)
    assert sum(part[LABEL].sum() for part in (training, validation, test)) == n_churned


def test_train_churn_model_rejects_a_single_class_training_set_naming_data_scale():
    training = make_dataset(10, n_churned=0)
    others = make_dataset(4, n_churned=2)

    with pytest.raises(ValueError, match="DATA_SCALE"):
        train_churn_model(training, others, others)


@pytest.fixture(scope="module")
def learnable_split() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return split_dataset(make_learnable_dataset(300, seed=11), seed=0)


@pytest.fixture(scope="module")
def churn_report(learnable_split) -> ChurnModelReport:
    return train_churn_model(*learnable_split)


def test_train_churn_model_beats_the_majority_baseline_on_validation(learnable_split, churn_report):
    training, validation, _ = learnable_split
    majority = training[LABEL].mode().iloc[0]
    validation_baseline = (validation[LABEL] == majority).mean()

    assert churn_report.validation_accuracy > validation_baseline


def test_train_churn_model_beats_the_majority_baseline_on_test(churn_report):
    assert churn_report.test_accuracy > churn_report.majority_baseline_accuracy


def test_train_churn_model_majority_baseline_is_the_test_share_of_the_training_mode(
    learnable_split, churn_report
):
    training, _, test = learnable_split
    # order_count in 1..9 and label = order_count < 3: about 2/9 churned, so "active" is the mode
    assert training[LABEL].mode().iloc[0] == 0

    assert churn_report.majority_baseline_accuracy == pytest.approx((test[LABEL] == 0).mean())


def test_train_churn_model_reports_importances_for_every_feature(churn_report):
    assert list(churn_report.feature_importances) == FEATURES
    assert sum(churn_report.feature_importances.values()) == pytest.approx(1.0, abs=1e-3)


def test_train_churn_model_picks_a_candidate_depth(churn_report):
    assert churn_report.max_depth in MAX_DEPTH_CANDIDATES
    assert churn_report.model.max_depth == churn_report.max_depth
