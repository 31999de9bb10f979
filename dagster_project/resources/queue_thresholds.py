"""How long the run queue may be held up before ``queue_alert_sensor`` tells people; set per
deployment (``ALERT_QUEUED_RUN_MINUTES``, ``ALERT_HELD_SLOT_MINUTES``), never in code."""

import dagster as dg
from pydantic import Field

DEFAULT_QUEUED_RUN_MINUTES = 30.0
# The daemon frees a slot 10 s after its run ended: two minutes means it is not doing so.
DEFAULT_HELD_SLOT_MINUTES = 2.0


class QueueThresholdsResource(dg.ConfigurableResource):
    """Minutes a run may wait in the queue, and a pool slot stay claimed by a run that ended."""

    max_queued_minutes: float = Field(default=DEFAULT_QUEUED_RUN_MINUTES, gt=0)
    max_held_slot_minutes: float = Field(default=DEFAULT_HELD_SLOT_MINUTES, gt=0)
