"""A capacity plan as markdown tables (for people) and as a plain dict (for metadata and JSON)."""

from typing import Any

from dagster_project.planning.network import EGRESS_PRICES_AS_OF
from dagster_project.planning.plan import CapacityPlan
from dagster_project.planning.storage_cost import STORAGE_PRICES_AS_OF


def plan_as_dict(plan: CapacityPlan) -> dict[str, Any]:
    inventory, assumptions, link = plan.inventory, plan.assumptions, plan.bandwidth
    return {
        "machine": {"memory_budget_mb": plan.machine.memory_budget_mb, "cores": plan.machine.cores},
        "volume": {
            "categories": [
                {
                    "category": category.name,
                    "tier": category.tier.value,
                    "assets": category.count,
                    "average_size_mb": category.average_size_mb,
                    "runs_per_day": category.runs_per_day,
                    "retention_days": category.retention_days,
                    "written_gb_per_day": category.daily_written_gb,
                    "retained_gb": category.retained_gb,
                }
                for category in inventory.categories
            ],
            "written_gb_per_day": inventory.daily_written_gb,
            "read_gb_per_day": inventory.daily_read_gb,
            "retained_gb": inventory.retained_gb,
        },
        "memory": {
            "baseline_mb": assumptions.baseline_mb,
            "headroom": assumptions.headroom,
            "usable_memory_mb": plan.usable_memory_mb,
            "categories": [
                {
                    "category": memory.category,
                    "tier": memory.tier.value,
                    "memory_size_mb": memory.memory_size_mb,
                    "working_mb": memory.working_mb,
                    "measured": memory.measured,
                }
                for memory in plan.category_memory
            ],
            "tiers": plan.memory_by_tier(),
            "sequential_peak_mb": plan.sequential_peak_mb,
            "memory_safe_concurrency": plan.memory_safe_concurrency,
            "recommended_concurrency": plan.recommended_concurrency,
            "parallel_peak_mb": plan.parallel_peak_mb,
            "memory_for_all_cores_mb": plan.memory_for_all_cores_mb,
        },
        "network": {
            "window_hours": link.window_hours,
            "upload_mb_per_s": link.upload_mb_per_s,
            "download_mb_per_s": link.download_mb_per_s,
            "required_mb_per_s": link.required_mb_per_s,
            "required_mbit_per_s": link.required_mbit_per_s,
            "daily_average_mbit_per_s": link.daily_average_mbit_per_s,
            "egress_usd_per_month": plan.monthly_egress_usd,
            "egress_prices_as_of": EGRESS_PRICES_AS_OF,
        },
        "storage": {
            "recommendations": [
                {
                    "category": item.category,
                    "access": item.access.value,
                    "current_class": item.current_class,
                    "current_usd_per_month": item.current_usd_per_month,
                    "recommended_class": item.recommended_class,
                    "recommended_usd_per_month": item.recommended_usd_per_month,
                    "saving_usd_per_month": item.saving_usd_per_month,
                }
                for item in plan.storage
            ],
            "storage_prices_as_of": STORAGE_PRICES_AS_OF,
        },
    }


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def plan_as_markdown(plan: CapacityPlan) -> str:
    inventory, assumptions, link = plan.inventory, plan.assumptions, plan.bandwidth
    lines = [
        "# Capacity plan",
        "",
        f"Machine: {plan.machine.memory_budget_mb:,.0f} MB of memory, of which "
        f"{assumptions.headroom:.0%} ({plan.usable_memory_mb:,.0f} MB) may be used; "
        f"{plan.machine.cores} cores. Units: MB = 2^20 bytes, GB = 1024 MB, Mbit = 10^6 bits.",
        "",
        "## Data volume",
        "",
        *_table(
            [
                "category",
                "tier",
                "assets",
                "size MB",
                "runs/day",
                "retention days",
                "written GB/day",
                "retained GB",
            ],
            [
                [
                    c.name,
                    c.tier.value,
                    c.count,
                    f"{c.average_size_mb:,.1f}",
                    f"{c.runs_per_day:g}",
                    f"{c.retention_days:g}",
                    f"{c.daily_written_gb:,.3f}",
                    f"{c.retained_gb:,.1f}",
                ]
                for c in inventory.categories
            ]
            + [
                [
                    "**total**",
                    "",
                    sum(c.count for c in inventory.categories),
                    "",
                    "",
                    "",
                    f"{inventory.daily_written_gb:,.3f}",
                    f"{inventory.retained_gb:,.1f}",
                ]
            ],
        ),
        "",
        "## Memory",
        "",
        f"Each step's process holds {assumptions.baseline_mb:,.0f} MB before any data; a step "
        "needs its working memory on top (the value's size in memory times the tier's peak "
        "write factor, or the measured peak minus the baseline).",
        "",
        *_table(
            ["category", "tier", "in memory MB", "working MB per step", "source"],
            [
                [
                    m.category,
                    m.tier.value,
                    f"{m.memory_size_mb:,.1f}",
                    f"{m.working_mb:,.1f}",
                    "measured peak" if m.measured else "peak factor",
                ]
                for m in plan.category_memory
            ],
        ),
        "",
        *_table(
            [
                "tier",
                "steps",
                "largest working MB",
                "sequential peak MB",
                "memory-safe concurrency",
            ],
            [
                [
                    row["tier"],
                    row["steps"],
                    f"{row['largest_working_mb']:,.1f}",
                    f"{row['sequential_peak_mb']:,.1f}",
                    row["memory_safe_concurrency"],
                ]
                for row in plan.memory_by_tier()
            ],
        ),
        "",
        f"- Sequential (one step at a time, as the in-process executor runs them): peak "
        f"{plan.sequential_peak_mb:,.1f} MB.",
        f"- Memory allows {plan.memory_safe_concurrency} steps at once (the largest together); "
        f"with {plan.machine.cores} cores, run at most **{plan.recommended_concurrency}** "
        f"(the multiprocess executor's `max_concurrent`): peak {plan.parallel_peak_mb:,.1f} MB.",
        f"- To run one step per core, the machine needs {plan.memory_for_all_cores_mb:,.0f} MB.",
    ]
    if plan.memory_safe_concurrency == 0:
        lines.append(
            f"- **The largest step alone needs {plan.sequential_peak_mb:,.1f} MB, more than the "
            f"usable {plan.usable_memory_mb:,.0f} MB**: give the machine more memory or keep that "
            "data out of the step (the reference tier)."
        )
    lines += [
        "",
        "## Network",
        "",
        f"Written {inventory.daily_written_gb:,.3f} GB/day and read "
        f"{inventory.daily_read_gb:,.3f} GB/day, moved within {link.window_hours:g} hours a day, "
        f"times {assumptions.protocol_overhead:g} for protocol overhead and "
        f"{assumptions.retry_factor:g} for retries. Every tier counts, the reference tier too "
        "(its bytes move between the warehouse or Spark and storage, not through Dagster): an "
        "upper bound for the link between the steps and the object store.",
        "",
        *_table(
            ["direction", "MB/s", "Mbit/s"],
            [
                ["upload", f"{link.upload_mb_per_s:,.2f}", f"{link.upload_mbit_per_s:,.1f}"],
                ["download", f"{link.download_mb_per_s:,.2f}", f"{link.download_mbit_per_s:,.1f}"],
                [
                    "**link (busier direction)**",
                    f"{link.required_mb_per_s:,.2f}",
                    f"{link.required_mbit_per_s:,.1f}",
                ],
            ],
        ),
        "",
        f"Egress: {assumptions.egress_fraction:.0%} of reads billed at "
        f"${assumptions.egress_usd_per_gb:g}/GB (example list price, {EGRESS_PRICES_AS_OF}): "
        f"**${plan.monthly_egress_usd:,.2f} per month**.",
        "",
        f"## Storage cost (example list prices, {STORAGE_PRICES_AS_OF})",
        "",
        *_table(
            [
                "category",
                "access",
                "current class",
                "USD/month",
                "recommended class",
                "USD/month",
                "saving USD/month",
            ],
            [
                [
                    s.category,
                    s.access.value,
                    s.current_class,
                    f"{s.current_usd_per_month:,.2f}",
                    s.recommended_class,
                    f"{s.recommended_usd_per_month:,.2f}",
                    f"{s.saving_usd_per_month:,.2f}",
                ]
                for s in plan.storage
            ],
        ),
        "",
        f"Total: ${sum(s.current_usd_per_month for s in plan.storage):,.2f} per month today, "
        f"${sum(s.recommended_usd_per_month for s in plan.storage):,.2f} with the recommended "
        "classes (retrieval fees and minimum storage durations included).",
    ]
    return "\n".join(lines) + "\n"
