"""E-commerce assets on the small tier: orders, lifetime value, products and a churn model."""

import dagster as dg
import pandas as pd

from dagster_project.defs.ecommerce import churn, transform
from dagster_project.defs.ecommerce.generate import generate_orders
from dagster_project.defs.ecommerce.schemas import ORDERS_RAW_DESCRIPTION, orders_raw_schema
from dagster_project.monitoring.step_meter import measured
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import io_manager_key

GROUP = "ecommerce"
IO_MANAGER_KEY = io_manager_key(GROUP)
HIGH_VALUE_LTV = 1000.0
SPLIT_OUTPUTS = ("churn_training_data", "churn_validation_data", "churn_test_data")


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    dagster_type=pd.DataFrame,  # see quality/schema_check.py
    check_specs=[schema_check_spec("orders_raw", ORDERS_RAW_DESCRIPTION)],
)
@measured
def orders_raw(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Raw orders from the shop's order API (synthetic: 10,000 orders over 2024)."""
    orders = generate_orders(
        synthetic_data.rng(context),
        n_orders=synthetic_data.rows(10_000, minimum=1_000),
        n_customers=synthetic_data.rows(1_000, minimum=100),
        n_products=100,
    )
    return dg.MaterializeResult(
        value=orders,
        check_results=[schema_check_result("orders_raw", orders_raw_schema(), orders)],
        metadata={
            "dagster/row_count": len(orders),
            "distinct_customers": int(orders["customer_id"].nunique()),
            "first_order": str(orders["order_date"].min()),
            "last_order": str(orders["order_date"].max()),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def customer_ltv(orders_raw: pd.DataFrame) -> dg.MaterializeResult:
    """Customer lifetime value: spend, order count, tenure and annualised value per customer."""
    customers = transform.customer_lifetime_value(orders_raw)
    return dg.MaterializeResult(
        value=customers,
        metadata={
            "dagster/row_count": len(customers),
            "avg_ltv": round(float(customers["ltv_score"].mean()), 2),
            "high_value_customers": int((customers["ltv_score"] > HIGH_VALUE_LTV).sum()),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def product_performance(orders_raw: pd.DataFrame) -> dg.MaterializeResult:
    """Product performance: quantity, revenue and orders per product, ranked by a weighted score."""
    products = transform.product_performance(orders_raw)
    return dg.MaterializeResult(
        value=products,
        metadata={
            "dagster/row_count": len(products),
            "top_product_id": int(products["product_id"].iloc[0]),
            "total_revenue": round(float(products["total_revenue"].sum()), 2),
        },
    )


@dg.multi_asset(
    outs={
        name: dg.AssetOut(
            group_name=GROUP,
            io_manager_key=IO_MANAGER_KEY,
            kinds={"pandas"},
            description=f"Churn {name.split('_')[1]} set: customer features and churn label.",
        )
        for name in SPLIT_OUTPUTS
    },
)
@measured
def churn_dataset_split(customer_ltv: pd.DataFrame):
    """Splits the labelled customers 60/20/20 into training, validation and test sets."""
    dataset = churn.churn_dataset(customer_ltv)
    splits = churn.split_dataset(dataset, seed=churn.SPLIT_SEED)
    return tuple(
        dg.MaterializeResult(
            asset_key=name,
            value=split,
            metadata={
                "dagster/row_count": len(split),
                "churn_rate": round(float(split[churn.LABEL].mean()), 4),
            },
        )
        for name, split in zip(SPLIT_OUTPUTS, splits, strict=True)
    )


@dg.asset(group_name=GROUP, io_manager_key=IO_MANAGER_KEY, kinds={"scikitlearn"})
@measured
def churn_model(
    churn_training_data: pd.DataFrame,
    churn_validation_data: pd.DataFrame,
    churn_test_data: pd.DataFrame,
) -> dg.MaterializeResult:
    """Churn classifier (random forest) chosen on the validation set and scored on the test set."""
    report = churn.train_churn_model(churn_training_data, churn_validation_data, churn_test_data)
    return dg.MaterializeResult(
        value=report.model,
        metadata={
            "model_type": type(report.model).__name__,
            "max_depth": str(report.max_depth),
            "validation_accuracy": round(report.validation_accuracy, 4),
            "test_accuracy": round(report.test_accuracy, 4),
            "majority_baseline_accuracy": round(report.majority_baseline_accuracy, 4),
            "feature_count": len(churn.FEATURES),
            "features": churn.FEATURES,
            "feature_importances": report.feature_importances,
            "training_rows": len(churn_training_data),
        },
    )
