"""What a step gets for the kind of server it talks to: a retry policy and a concurrency pool.

Declared here once, the way ``tiers.py`` declares tiers; an asset that runs work on a server adds
``**talks_to(Server.WAREHOUSE)`` to its decorator. Pure pandas steps get nothing: a retry cannot
fix a bug in a transform. (Their values still travel to the object store, whose client retries
each request itself, see ``client_timeouts.py``.)

- Retries: exponential back-off with jitter, so runs that failed together do not retry in step.
  A warehouse or dbt step retries after about 5, 10, 20 s; a Spark step, which runs its whole
  Spark job again, after about 15 and 30 s (not when the cluster stopped its application, see
  ``resources/spark.py``).
- Pools: the warehouse has one writer at a time in the embedded default (DuckDB allows a single
  writing process per file), and Spark one application at a time, so that it has the cluster's
  cores to itself. The limits live in the instance files (``dagster.yaml``,
  ``deploy/dagster.stack.yaml``: ``concurrency.pools.default_limit``), so a deployment changes
  them without touching code.
"""

from enum import StrEnum
from typing import Any

import dagster as dg


class Server(StrEnum):
    WAREHOUSE = "warehouse"
    DBT = "dbt"
    SPARK = "spark"


RETRY_POLICIES: dict[Server, dg.RetryPolicy] = {
    Server.WAREHOUSE: dg.RetryPolicy(
        max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
    Server.DBT: dg.RetryPolicy(
        max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
    Server.SPARK: dg.RetryPolicy(
        max_retries=2, delay=15, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
}

# dbt writes the same warehouse as the warehouse steps, so it shares their pool.
POOLS: dict[Server, str] = {
    Server.WAREHOUSE: "warehouse",
    Server.DBT: "warehouse",
    Server.SPARK: "spark",
}


def talks_to(server: Server) -> dict[str, Any]:
    """The keyword arguments of ``@dg.asset`` (or ``@dbt_assets``) for a step on ``server``."""
    return {"retry_policy": RETRY_POLICIES[server], "pool": POOLS[server]}
