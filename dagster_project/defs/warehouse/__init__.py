"""Warehouse-native processing on the reference tier: SQL runs where the data lives."""
