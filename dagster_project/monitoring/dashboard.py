"""What a person looks at: a per-asset summary table and a chart of duration and size over time.

The chart is a PNG embedded in markdown metadata (a ``data:`` URI), which the Dagster UI renders
on the materialization, so it opens from the asset's page with nothing else to host.
"""

import base64
import io

import pandas as pd

from dagster_project.monitoring.alerts import duration_seconds
from dagster_project.monitoring.instance_history import FAILED, MATERIALIZED

SUMMARY_COLUMNS = [
    "asset_key",
    "group",
    "materializations",
    "failures",
    "success_rate",
    "latest_seconds",
    "mean_seconds",
    "max_peak_memory_mb",
    "latest_file_size_mb",
    "latest_rows",
]
CHARTED_ASSETS = 12


def asset_summary(history: pd.DataFrame) -> pd.DataFrame:
    """One row per asset: counts, success rate, durations, memory and size."""
    rows = []
    for (asset_key, group), events in history.groupby(["asset_key", "group"], sort=True):
        events = events.sort_values("timestamp")
        materialized = events[events["status"] == MATERIALIZED]
        failures = int((events["status"] == FAILED).sum())
        attempts = len(materialized) + failures
        durations = duration_seconds(materialized).dropna()
        rows.append(
            {
                "asset_key": asset_key,
                "group": group,
                "materializations": len(materialized),
                "failures": failures,
                "success_rate": len(materialized) / attempts if attempts else None,
                "latest_seconds": durations.iloc[-1] if len(durations) else None,
                "mean_seconds": durations.mean() if len(durations) else None,
                "max_peak_memory_mb": materialized["peak_memory_mb"].max(),
                "latest_file_size_mb": _latest(materialized["file_size_mb"]),
                "latest_rows": _latest(materialized["rows"]),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _latest(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.iloc[-1]) if len(values) else None


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table (numbers rounded, blanks for missing values)."""

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, float):
            return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        return str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join(cell(value) for value in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def performance_chart_png(history: pd.DataFrame) -> bytes:
    """Duration and stored size per asset over time, for the slowest assets."""
    materialized = history[history["status"] == MATERIALIZED].copy()
    materialized["duration_seconds"] = duration_seconds(materialized)
    slowest = (
        materialized.groupby("asset_key")["duration_seconds"].max().nlargest(CHARTED_ASSETS).index
    )
    # Imported here, so the definitions load without matplotlib (slow to import): only this step
    # draws. A bare Figure, not pyplot: no global state and no display backend in a run worker.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 7))
    durations, sizes = figure.subplots(2, 1, sharex=True)
    for asset_key in slowest:
        events = materialized[materialized["asset_key"] == asset_key].sort_values("timestamp")
        durations.plot(events["timestamp"], events["duration_seconds"], marker="o", label=asset_key)
        sizes.plot(events["timestamp"], events["file_size_mb"], marker="o", label=asset_key)
    durations.set_ylabel("step duration (s)")
    durations.set_title(f"The {len(slowest)} slowest assets, per materialization")
    sizes.set_ylabel("stored size (MB)")
    sizes.set_xlabel("materialized at (UTC)")
    if len(slowest):
        durations.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def markdown_image(png: bytes, title: str) -> str:
    """Markdown showing ``png`` inline."""
    return f"![{title}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
