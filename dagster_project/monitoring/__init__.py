"""Performance records of the code location: measured in each step, read back from the instance."""
