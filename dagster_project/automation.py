"""Whether schedules and sensors start running: ``AUTOMATION`` decides for every one of them, in
every group, so a laptop never launches runs unasked and the stack starts them all at once."""

import dagster as dg

from dagster_project import settings

AUTOMATION = settings.automation_default_status().upper()
DEFAULT_SCHEDULE_STATUS = dg.DefaultScheduleStatus(AUTOMATION)
DEFAULT_SENSOR_STATUS = dg.DefaultSensorStatus(AUTOMATION)
