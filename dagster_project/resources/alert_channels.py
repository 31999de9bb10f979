"""Where alerts reach people: a Slack-compatible incoming webhook and email, each off unless set.

The webhook gets ``{"text": ...}``, the payload Slack's incoming webhooks, Mattermost's and Teams'
workflow webhooks all accept; email goes through an SMTP server (STARTTLS and login when a user
is set). Every message names what failed and links to it in the UI.

Delivery never fails or holds a sensor for long: each request is bounded by ``timeout_seconds``,
a channel that fails (down, slow, refusing) is logged by its host only (a webhook URL holds a
token) and skipped for the rest of that call, so a dead receiver costs one timeout per tick. An
alert whose delivery failed is not sent again: the sensors' cursors move on either way.
"""

import functools
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import dagster as dg
import requests
from pydantic import Field


@dataclass(frozen=True)
class Alert:
    """One message: what failed, the details, and its page in the UI (a path like /runs/ID)."""

    title: str
    details: str
    ui_path: str


class AlertChannelsResource(dg.ConfigurableResource):
    """The channels alerts are delivered to; with none set, ``send`` does nothing."""

    webhook_url: str | None = Field(default=None, description="Incoming webhook (a secret).")
    email_to: list[str] = Field(default_factory=list)
    email_from: str = Field(default="dagster-alerts@localhost")
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    webserver_url: str = Field(default="http://127.0.0.1:3000", description="For the links.")
    timeout_seconds: float = Field(default=5.0, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url or (self.email_to and self.smtp_host))

    def link(self, alert: Alert) -> str:
        return f"{self.webserver_url.rstrip('/')}{alert.ui_path}"

    def send(self, alerts: Sequence[Alert], log) -> int:
        """Deliver every alert on every channel; returns how many deliveries succeeded."""
        channels = []
        if self.webhook_url:
            channels.append(
                (
                    f"webhook at {urlsplit(self.webhook_url).netloc}",
                    functools.partial(self._post, self.webhook_url),
                )
            )
        if self.email_to and self.smtp_host:
            channels.append(
                (
                    f"SMTP server {self.smtp_host}:{self.smtp_port}",
                    functools.partial(self._mail, self.smtp_host),
                )
            )
        delivered = 0
        for name, deliver in channels:
            for alert in alerts:
                try:
                    deliver(alert)
                except (OSError, requests.RequestException, smtplib.SMTPException) as error:
                    reason = type(error).__name__
                    log.warning(
                        f"Alert '{alert.title}' not delivered to the {name} ({reason}); the rest "
                        "of this tick's alerts skip it."
                    )
                    break
                delivered += 1
        return delivered

    def _post(self, webhook_url: str, alert: Alert) -> None:
        text = f"{alert.title}\n{alert.details}\n{self.link(alert)}"
        response = requests.post(webhook_url, json={"text": text}, timeout=self.timeout_seconds)
        response.raise_for_status()

    def _mail(self, smtp_host: str, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = alert.title
        message["From"] = self.email_from
        message["To"] = ", ".join(self.email_to)
        message.set_content(f"{alert.details}\n\n{self.link(alert)}\n")
        with smtplib.SMTP(smtp_host, self.smtp_port, timeout=self.timeout_seconds) as smtp:
            if self.smtp_user:
                smtp.starttls()
                smtp.login(self.smtp_user, self.smtp_password or "")
            smtp.send_message(message)
