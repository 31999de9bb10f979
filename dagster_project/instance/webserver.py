"""The stack's webserver: ``dagster-webserver`` whose pooled database connections are tested
before each use.

The webserver keeps its instance's PostgreSQL connections in SQLAlchemy pools (the daemon and the
runs open a new connection for each use instead). A PostgreSQL restart closes every pooled
connection, and without a test the next query on each fails with "server closed the connection
unexpectedly" before the pool starts over: the UI shows an error after every restart. Here the
pool tests a connection as it hands it out (``SELECT 1``, a fraction of a millisecond) and
replaces a dead one, which is what SQLAlchemy's ``pool_pre_ping`` does; dagster-postgres builds
the webserver's engines itself and has no setting for it. Opening a new connection per use
(``--db-pool-recycle 0``) fixes the same fault at about 12 ms per query.

Usage: ``python -m dagster_project.instance.webserver`` with ``dagster-webserver``'s arguments.
"""

from dagster_webserver.cli import main
from sqlalchemy import event, exc
from sqlalchemy.pool import QueuePool


def ping(dbapi_connection, connection_record, connection_proxy) -> None:
    """Raise ``DisconnectionError`` for a pooled connection the server closed: the pool then
    discards it and hands out a new one (SQLAlchemy's pessimistic disconnect handling)."""
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as error:  # whatever the driver raises, the connection is unusable
        raise exc.DisconnectionError(str(error)) from error


def check_pooled_connections() -> None:
    """Every QueuePool of this process (the webserver's storages) pings on checkout."""
    if not event.contains(QueuePool, "checkout", ping):
        event.listen(QueuePool, "checkout", ping)


if __name__ == "__main__":
    check_pooled_connections()
    main()
