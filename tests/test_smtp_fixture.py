"""The test SMTP server really receives what Django sends."""
from django.core.mail import send_mail


def test_mail_reaches_the_local_smtp_server(smtp_server):
    send_mail("Ämne", "Brödtext åäö", "varn@example.se", ["chef@example.se"])
    assert smtp_server.to("chef@example.se")[0]["subject"] == "Ämne"
    assert "Brödtext åäö" in smtp_server.messages[0]["body"]
