"""Fixtures of the tier tests."""

import secrets

import pytest


@pytest.fixture
def fake_aws_credentials(monkeypatch) -> str:
    """Made-up object store keys in the environment; returns the secret, which no error may show."""
    secret = f"not-the-secret-{secrets.token_hex(8)}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "someone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    return secret
