"""Customer churn: the label, a train/validation/test split and a scikit-learn model.

A customer has churned when their last order is more than ``CHURN_AFTER_DAYS`` older than the
latest order in the data. The features describe spending and tenure, never the last order date
itself (that would leak the label).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # scikit-learn is imported where it is used: it adds 1.8 s to every code load
    from sklearn.ensemble import RandomForestClassifier

CHURN_AFTER_DAYS = 60
FEATURES = ["total_spent", "avg_order_value", "order_count", "customer_days", "ltv_score"]
LABEL = "churned"
VALIDATION_SHARE = 0.2
TEST_SHARE = 0.2
MAX_DEPTH_CANDIDATES = (3, 6, None)
SPLIT_SEED = 2024  # fixed, so re-materializing the split reproduces it


def churn_dataset(customer_ltv: pd.DataFrame) -> pd.DataFrame:
    """``customer_id``, the features and the ``churned`` label, one row per customer."""
    as_of = customer_ltv["last_order"].max()
    churned = (as_of - customer_ltv["last_order"]) > pd.Timedelta(days=CHURN_AFTER_DAYS)
    return customer_ltv[["customer_id", *FEATURES]].assign(**{LABEL: churned.astype(int)})


def split_dataset(
    dataset: pd.DataFrame, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Training, validation and test sets (60/20/20), stratified by label when classes allow."""
    from sklearn.model_selection import train_test_split

    smallest_class = dataset[LABEL].value_counts().min() if dataset[LABEL].nunique() > 1 else 0
    stratify = smallest_class >= 5
    rest, test = train_test_split(
        dataset,
        test_size=TEST_SHARE,
        random_state=seed,
        stratify=dataset[LABEL] if stratify else None,
    )
    training, validation = train_test_split(
        rest,
        test_size=VALIDATION_SHARE / (1 - TEST_SHARE),
        random_state=seed,
        stratify=rest[LABEL] if stratify else None,
    )
    return (
        training.reset_index(drop=True),
        validation.reset_index(drop=True),
        test.reset_index(drop=True),
    )


@dataclass(frozen=True)
class ChurnModelReport:
    """The chosen model and the figures that justify it."""

    model: "RandomForestClassifier"
    max_depth: int | None
    validation_accuracy: float
    test_accuracy: float
    majority_baseline_accuracy: float
    feature_importances: dict[str, float]


def train_churn_model(
    training: pd.DataFrame, validation: pd.DataFrame, test: pd.DataFrame
) -> ChurnModelReport:
    """One forest per depth on ``training``; keep the best on ``validation``; score on ``test``."""
    from sklearn.ensemble import RandomForestClassifier

    if training[LABEL].nunique() < 2:
        raise ValueError(
            f"The churn training set holds only one class ({training[LABEL].iloc[0]!r} for "
            f"{len(training)} customers): a classifier needs churned and active customers. "
            "Generate more orders (raise DATA_SCALE)."
        )
    candidates = []
    for max_depth in MAX_DEPTH_CANDIDATES:
        model = RandomForestClassifier(
            n_estimators=100, max_depth=max_depth, random_state=0, n_jobs=1
        ).fit(training[FEATURES], training[LABEL])
        candidates.append((accuracy(model, validation), max_depth, model))
    validation_accuracy, max_depth, model = max(candidates, key=lambda candidate: candidate[0])
    majority = training[LABEL].mode().iloc[0]
    return ChurnModelReport(
        model=model,
        max_depth=max_depth,
        validation_accuracy=validation_accuracy,
        test_accuracy=accuracy(model, test),
        majority_baseline_accuracy=float((test[LABEL] == majority).mean()),
        feature_importances=dict(
            zip(FEATURES, np.round(model.feature_importances_, 4).tolist(), strict=True)
        ),
    )


def accuracy(model: "RandomForestClassifier", data: pd.DataFrame) -> float:
    """Share of ``data`` whose label the model predicts correctly."""
    return float((model.predict(data[FEATURES]) == data[LABEL]).mean())
