"""Mail to owners and managers: plain-text messages, sent through SMTP with the standard library.

Every text a person wrote (flow names, asset names, owners' names) goes into a text/plain body
built by email.message.EmailMessage: nothing is read as HTML, and header values are encoded
by the library, so a name cannot add a header.
"""

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from types import TracebackType
from typing import Self

from config.settings import Settings, get_settings
from core.kernel.errors import ServiceUnavailable
from core.kernel.text import without_bidi_controls

SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class RequestMail:
    owner_email: str
    owner_name: str | None
    flow_name: str
    engagement_name: str
    open_questions: int
    assets: list[str]  # names of the assets asked about, for the body
    link: str
    due_on: date | None
    reminder: bool


def _one_line(text: str) -> str:
    return " ".join(without_bidi_controls(text).split())


def request_message(mail: RequestMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_one_line(mail.owner_name or ""), mail.owner_email))
    what = "Reminder: " if mail.reminder else ""
    flow = _one_line(mail.flow_name)
    message["Subject"] = f"{what}{mail.open_questions} question(s) about your systems ({flow})"
    message["Message-ID"] = make_msgid(domain="collection.local")
    shown_assets = ", ".join(_one_line(name) for name in mail.assets[:10])
    more = f" and {len(mail.assets) - 10} more" if len(mail.assets) > 10 else ""
    due = f"Please answer by {mail.due_on.isoformat()}.\n\n" if mail.due_on else ""
    greeting = f"Hello {_one_line(mail.owner_name)},\n\n" if mail.owner_name else "Hello,\n\n"
    message.set_content(
        f"{greeting}"
        f"The migration assessment {flow} ({_one_line(mail.engagement_name)}) needs"
        f" {mail.open_questions} answer(s) from you about: {shown_assets}{more}.\n\n"
        f"Open this link to answer (no account needed):\n{mail.link}\n\n"
        f"{due}"
        "The link is yours alone: it shows only your questions. Do not forward it.\n"
    )
    return message


def escalation_message(
    managers: list[str], flow_lines: list[str], engagement_name: str, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(managers)
    message["Subject"] = f"Overdue answers in {_one_line(engagement_name)}"
    message["Message-ID"] = make_msgid(domain="collection.local")
    body = "\n".join(f"- {_one_line(line)}" for line in flow_lines)
    message.set_content(
        "These owners have not answered by the due date:\n\n"
        f"{body}\n\n"
        "Open the Questionnaires page to see who answered what.\n"
    )
    return message


class MailSender:
    """One SMTP connection, opened on the first message and reused for the next ones."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        if not self.settings.smtp_host:
            raise ServiceUnavailable("Mail is not set up: set SMTP_HOST to send requests")
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port = settings.smtp_host or "", settings.smtp_port
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                secret = settings.smtp_password
                smtp.login(settings.smtp_username, secret.get_secret_value() if secret else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; a broken connection is dropped, so the next send opens another."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            raise  # this message was refused; the connection still serves the next
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
