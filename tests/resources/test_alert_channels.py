"""Alert delivery to a real webhook receiver and a real SMTP server; receivers that are down,
silent or refusing cost one bounded timeout per call, never an exception, never the token."""

import logging

import pytest

from dagster_project.deployment import alert_channels
from dagster_project.resources.alert_channels import Alert, AlertChannelsResource
from tests.alert_receivers import smtp_receiver, webhook_receiver
from tests.silent_server import MODES, unanswered_port

ALERT = Alert(title="Run failed: etl (1234abcd)", details="Step x raised.", ui_path="/runs/1234")


def test_an_alert_reaches_the_webhook_and_the_mailbox_with_its_link():
    with webhook_receiver() as (url, bodies), smtp_receiver() as (port, messages):
        channels = AlertChannelsResource(
            webhook_url=url,
            email_to=["oncall@example.com", "data@example.com"],
            smtp_host="127.0.0.1",
            smtp_port=port,
            webserver_url="https://dagster.example.com",
        )
        delivered = channels.send([ALERT], logging.getLogger("test"))

    assert delivered == 2
    assert bodies == [
        {
            "text": "Run failed: etl (1234abcd)\nStep x raised.\nhttps://dagster.example.com/runs/1234"
        }
    ]
    assert messages[0]["Subject"] == "Run failed: etl (1234abcd)"
    assert messages[0]["To"] == "oncall@example.com, data@example.com"
    assert "https://dagster.example.com/runs/1234" in messages[0].get_payload()


def test_no_channel_means_nothing_is_sent(monkeypatch):
    """The compose file's defaults: the alert variables empty, a mail server named but no
    recipient. A receiver is listening, and gets nothing until a recipient is set."""
    with smtp_receiver() as (port, messages):
        for name, value in {
            "ALERT_WEBHOOK_URL": "",
            "ALERT_EMAIL_TO": "",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
        }.items():
            monkeypatch.setenv(name, value)
        unset = alert_channels()
        delivered_unset = unset.send([ALERT], logging.getLogger("test"))
        received_unset = list(messages)

        monkeypatch.setenv("ALERT_EMAIL_TO", "oncall@example.com")
        delivered_set = alert_channels().send([ALERT], logging.getLogger("test"))

    assert not unset.enabled
    assert (delivered_unset, received_unset) == (0, [])
    # the same receiver does get the alert once a recipient is set
    assert delivered_set == 1
    assert [message["Subject"] for message in messages] == [ALERT.title]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("receiver", ["closed port", *MODES])
def test_a_receiver_that_is_down_or_silent_costs_one_timeout_and_never_the_token(receiver, caplog):
    with unanswered_port(receiver) as webhook_port, unanswered_port(receiver) as smtp_port:
        channels = AlertChannelsResource(
            webhook_url=f"http://127.0.0.1:{webhook_port}/services/T0/B0/secret-token",
            email_to=["oncall@example.com"],
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            timeout_seconds=1,
        )
        with caplog.at_level(logging.WARNING):
            delivered = channels.send([ALERT, ALERT, ALERT], logging.getLogger("test"))

    assert delivered == 0
    # one attempt (so at most one timeout) per channel, not one per alert
    assert [record.getMessage().rsplit(" (", 1)[0] for record in caplog.records] == [
        f"Alert '{ALERT.title}' not delivered to the webhook at 127.0.0.1:{webhook_port}",
        f"Alert '{ALERT.title}' not delivered to the SMTP server 127.0.0.1:{smtp_port}",
    ]
    assert "secret-token" not in caplog.text
    assert f"127.0.0.1:{webhook_port}" in caplog.text


def test_a_webhook_that_refuses_is_logged_not_raised(caplog):
    with webhook_receiver(status=500) as (url, bodies), caplog.at_level(logging.WARNING):
        delivered = AlertChannelsResource(webhook_url=url).send([ALERT], logging.getLogger("test"))

    assert delivered == 0 and len(bodies) == 1
    assert "HTTPError" in caplog.text and "secret-token" not in caplog.text
