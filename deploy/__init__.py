"""Deployment helpers: the services the native stack and the test suite start on 127.0.0.1."""
