"""The stack's Dagster processes: the instance plugins its ``dagster.yaml`` names by module and
class, the code server's and webserver's entry points, and their health checks."""
