"""Mixed sizes in one group: the size router stores each output in the tier its size calls for."""
