"""Resources other than I/O managers: the services and settings assets ask for by parameter."""
