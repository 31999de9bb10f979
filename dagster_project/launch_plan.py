"""The shell commands that materialize the whole graph, one ``dg launch`` per partitions definition.

The CLI refuses a selection that mixes partitions definitions (daily and hourly) or that holds a
partitioned asset without ``--partition``. So the graph is launched in batches: all unpartitioned
groups in one run, then each partitioned group at its latest complete partition. The plan is
derived from the definitions, so a group added later is picked up without editing any script.
The monitoring group goes last: it reads the records of everything launched before it.
"""

from dataclasses import dataclass
from datetime import datetime

import dagster as dg


@dataclass(frozen=True)
class Launch:
    """One ``dg launch`` call: some whole groups, at one partition key or unpartitioned."""

    groups: tuple[str, ...]
    partition_key: str | None = None

    @property
    def selection(self) -> str:
        return ",".join(f"group:{group}" for group in self.groups)

    def command(self) -> list[str]:
        command = ["dg", "launch", "--assets", self.selection]
        if self.partition_key is not None:
            command += ["--partition", self.partition_key]
        return command


def group_partitions(defs: dg.Definitions) -> dict[str, dg.PartitionsDefinition | None]:
    """The partitions definition of each group; a group must not mix two of them."""
    graph = defs.resolve_asset_graph()
    partitions: dict[str, dg.PartitionsDefinition | None] = {}
    for key in sorted(graph.materializable_asset_keys):
        node = graph.get(key)
        group = node.group_name
        if group in partitions and partitions[group] != node.partitions_def:
            raise ValueError(
                f"Group '{group}' mixes partitions definitions (asset '{key.to_user_string()}'); "
                "the launch plan runs whole groups, so keep one partitions definition per group."
            )
        partitions[group] = node.partitions_def
    return partitions


# Groups that report on the others (the monitoring group reads every asset's materializations):
# launched last, on their own, so they see the whole graph's records.
FINAL_GROUPS = ("monitoring",)


def launch_plan(defs: dg.Definitions, now: datetime | None = None) -> list[Launch]:
    """Unpartitioned groups first, then each partitioned group at its latest complete partition
    as of ``now`` (default: the current time), then the final (reporting) groups."""
    partitions_by_group = group_partitions(defs)
    final = [Launch(groups=(group,)) for group in FINAL_GROUPS if group in partitions_by_group]
    batches: list[tuple[dg.PartitionsDefinition | None, list[str]]] = []
    for group, partitions_def in sorted(
        (item for item in partitions_by_group.items() if item[0] not in FINAL_GROUPS),
        key=lambda item: (item[1] is not None, item[0]),
    ):
        for batch_partitions, groups in batches:
            if batch_partitions == partitions_def:
                groups.append(group)
                break
        else:
            batches.append((partitions_def, [group]))

    plan = []
    for partitions_def, groups in batches:
        partition_key = None
        if partitions_def is not None:
            with dg.partition_loading_context(effective_dt=now):
                partition_key = partitions_def.get_last_partition_key()
            if partition_key is None:
                raise ValueError(f"Groups {groups} have no complete partition yet.")
        plan.append(Launch(groups=tuple(groups), partition_key=partition_key))
    return plan + final
