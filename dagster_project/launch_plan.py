"""The shell commands that materialize the whole graph, one ``dg launch`` per partitions definition.

The CLI refuses a selection that mixes partitions definitions (daily and hourly) or that holds a
partitioned asset without ``--partition``. So the graph is launched in batches: everything
unpartitioned in one run, then each partitions definition's assets. A group whose assets share
one partitions definition is launched as ``group:<name>``; a group that mixes them (the dbt group:
its daily model is partitioned, the others are not) is launched asset by asset, each in the batch
of its own definition. A partitioned batch gets its latest complete partition, or all of its
partitions in one run when every asset in it has a single-run backfill policy (the daily dbt
model: one dbt invocation over its whole window). The plan is derived from the definitions, so
a group added later is picked up without editing any script. The monitoring group goes last: it
reads the records of everything launched before it.

The Spark group is launched first, in a run of its own that may run beside the others
(``Launch.beside``): its work happens in Spark's JVM, so on a machine with two cores it
overlaps the pandas and SQL steps of the other runs instead of waiting for them. That holds only
while it is unpartitioned and shares no dependency with the rest of the graph; otherwise it stays
in its batch.
"""

from dataclasses import dataclass
from datetime import datetime

import dagster as dg


@dataclass(frozen=True)
class Launch:
    """One ``dg launch`` call: whole groups and single assets, at one partition key, over a range
    of partitions, or unpartitioned."""

    groups: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    partition_key: str | None = None
    partition_range: tuple[str, str] | None = None
    beside: bool = False  # may run at the same time as every launch but the final ones

    @property
    def selection(self) -> str:
        return ",".join([f"group:{group}" for group in self.groups] + list(self.assets))

    def tags(self) -> dict[str, str]:
        """The run tags that select the partition or the range (what ``dg launch`` sets)."""
        if self.partition_key is not None:
            return {"dagster/partition": self.partition_key}
        if self.partition_range is not None:
            start, end = self.partition_range
            return {
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
            }
        return {}

    def command(self) -> list[str]:
        command = ["dg", "launch", "--assets", self.selection]
        if self.partition_key is not None:
            command += ["--partition", self.partition_key]
        if self.partition_range is not None:
            command += ["--partition-range", "...".join(self.partition_range)]
        return command


# Groups that report on the others (the monitoring group reads every asset's materializations):
# launched last, on their own, so they see the whole graph's records.
FINAL_GROUPS = ("monitoring",)

# Groups whose steps run in an engine of their own (Spark's JVM): launched beside the others
# when they stand alone.
BESIDE_GROUPS = ("spark",)


def stands_alone(defs: dg.Definitions, group: str) -> bool:
    """Whether ``group`` is unpartitioned and no asset of it depends on, or feeds, an asset of
    another group."""
    graph = defs.resolve_asset_graph()
    keys = {key for key in graph.materializable_asset_keys if graph.get(key).group_name == group}
    return bool(keys) and all(
        graph.get(key).partitions_def is None
        and (graph.get(key).parent_keys | graph.get(key).child_keys) <= keys
        for key in keys
    )


def launch_units(
    defs: dg.Definitions,
) -> list[tuple[str, str | None, dg.PartitionsDefinition | None, bool]]:
    """(group, asset or None for the whole group, partitions definition, single-run backfill)
    of every unit the plan launches, groups in name order."""
    graph = defs.resolve_asset_graph()
    by_group: dict[str, list[dg.AssetKey]] = {}
    for key in sorted(graph.materializable_asset_keys):
        by_group.setdefault(graph.get(key).group_name, []).append(key)
    units: list[tuple[str, str | None, dg.PartitionsDefinition | None, bool]] = []
    for group, keys in sorted(by_group.items()):
        nodes = [graph.get(key) for key in keys]
        single_run = all(node.backfill_policy == dg.BackfillPolicy.single_run() for node in nodes)
        if len({node.partitions_def for node in nodes}) == 1:
            units.append((group, None, nodes[0].partitions_def, single_run))
            continue
        for key, node in zip(keys, nodes, strict=True):
            single = node.backfill_policy == dg.BackfillPolicy.single_run()
            units.append((group, key.to_user_string(), node.partitions_def, single))
    return units


def launch_plan(defs: dg.Definitions, now: datetime | None = None) -> list[Launch]:
    """The groups launched beside the others first, then the unpartitioned units, then each
    partitions definition's units (at its latest complete partition as of ``now``, default the
    current time, or all of its partitions when they backfill in a single run), then the final
    (reporting) groups."""
    beside = [group for group in BESIDE_GROUPS if stands_alone(defs, group)]
    units = [unit for unit in launch_units(defs) if unit[0] not in (*FINAL_GROUPS, *beside)]
    final = [
        Launch(groups=(group,))
        for group in FINAL_GROUPS
        if any(unit[0] == group for unit in launch_units(defs))
    ]
    batches: list[tuple[dg.PartitionsDefinition | None, list[tuple[str, str | None, bool]]]] = []
    for group, asset, partitions_def, single_run in sorted(
        units, key=lambda unit: (unit[2] is not None, unit[0], unit[1] or "")
    ):
        for batch_partitions, members in batches:
            if batch_partitions == partitions_def:
                members.append((group, asset, single_run))
                break
        else:
            batches.append((partitions_def, [(group, asset, single_run)]))

    plan = [Launch(groups=(group,), beside=True) for group in beside]
    for partitions_def, members in batches:
        groups = tuple(group for group, asset, _ in members if asset is None)
        assets = tuple(asset for _, asset, _ in members if asset is not None)
        if partitions_def is None:
            plan.append(Launch(groups=groups, assets=assets))
            continue
        with dg.partition_loading_context(effective_dt=now):
            first = partitions_def.get_first_partition_key()
            last = partitions_def.get_last_partition_key()
        if first is None or last is None:
            named = [asset or group for group, asset, _ in members]
            raise ValueError(f"{named} have no complete partition yet.")
        if all(single_run for _, _, single_run in members):
            plan.append(Launch(groups=groups, assets=assets, partition_range=(first, last)))
        else:
            plan.append(Launch(groups=groups, assets=assets, partition_key=last))
    return plan + final
