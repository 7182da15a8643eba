"""Mail bodies are plain text: names people wrote add no header and no markup."""

from datetime import date

from core.requests.mail import RequestMail, escalation_message, request_message


def test_names_stay_text_and_add_no_header():
    mail = RequestMail(
        owner_email="lee@x.org",
        owner_name="Lee\r\nBcc: all@x.org",
        flow_name="<b>Wave</b>\nBcc: all@x.org",
        engagement_name="Acme <script>",
        open_questions=3,
        assets=["<img src=x onerror=alert(1)>"],
        link="https://collect.example.org/answer?token=abc",
        due_on=date(2030, 1, 31),
        reminder=False,
    )
    message = request_message(mail, "collection@x.org")
    assert message.get_content_type() == "text/plain"
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    body = message.get_content()
    assert "<img src=x onerror=alert(1)>" in body  # as typed, in a body no client reads as HTML
    assert "2030-01-31" in body and mail.link in body
    assert not message.is_multipart()
    escalation = escalation_message(["m@x.org"], ["lee@x.org\nBcc: all@x.org"], "E\nBcc: y", "c@x")
    assert escalation["Bcc"] is None and "\n" not in escalation["Subject"]
