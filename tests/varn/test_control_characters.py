"""NUL and other control characters, in any query parameter or form field of
any page, get a clear answer and never a 500 (PostgreSQL refuses NUL in text
and JSON, so this matters most there: CI runs it on both databases)."""
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.varn.test_url_permissions import ALL, url_for

pytestmark = pytest.mark.django_db

CONTROL = st.sampled_from([chr(c) for c in range(32) if chr(c) not in "\t\n\r"])
TEXT = st.builds(lambda a, c, b: a + c + b, st.text(max_size=5), CONTROL, st.text(max_size=5))
FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
GETS = [(name, pattern) for name, pattern in ALL if name not in ("logout",)]


def field_names(html: str) -> list[str]:
    return sorted(set(FIELD.findall(html)) - {"csrfmiddlewaretoken"})


@pytest.mark.parametrize("name,pattern", GETS, ids=lambda v: str(v))
def test_control_characters_in_any_parameter_or_field_get_a_clear_400(login, city, name, pattern):
    client = login(city.security)
    url = url_for(name, pattern, city.named.pk, action_pk=1, attachment_pk=1)
    page = client.get(url)
    fields = field_names(page.content.decode(errors="replace")) if page.status_code == 200 else []
    params = fields or ["q", "sida"]

    @hsettings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=TEXT, field=st.sampled_from(params))
    def check(value, field):
        for response in (client.get(url, {field: value}), client.post(url, {field: value})):
            assert response.status_code < 500, (name, field, repr(value), response.status_code)
            if response.status_code == 400:
                assert "styrtecken" in response.content.decode()
        # A browser's own form submission reaches the view and its form.
        posted = client.post(url, {field: value}, HTTP_SEC_FETCH_MODE="navigate")
        assert posted.status_code < 500, (name, field, repr(value), posted.status_code)

    check()


def test_a_draft_with_a_nul_in_the_description_is_refused_not_a_500(login, city):
    from django.urls import reverse

    from incidents.models import ReportDraft

    client = login(city.employee)
    # The form's script saves drafts with fetch (Sec-Fetch-Mode: cors).
    response = client.post(reverse("reporting:draft_save"), {"description": "Hot\x00 i telefon"},
                           HTTP_SEC_FETCH_MODE="cors")
    assert response.status_code == 400 and "styrtecken" in response.content.decode()
    # Sent as a page load it reaches the draft, which keeps the text without the NUL.
    client.post(reverse("reporting:draft_save"), {"description": "Hot\x00 i telefon"}, HTTP_SEC_FETCH_MODE="navigate")
    assert ReportDraft.objects.get(user=city.employee).data["description"] == "Hot i telefon"


def test_a_nul_in_the_audit_filter_is_refused_not_a_500(login, city):
    from django.urls import reverse

    response = login(city.auditor).get(reverse("audit:list"), {"handelse": "\x00"})
    assert response.status_code == 400
