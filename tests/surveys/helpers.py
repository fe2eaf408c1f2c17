"""Shared test data for the surveys: staff in the north's units, and a
survey answered by some of them."""
import re
from datetime import timedelta

from django.utils import timezone

from organisation.models import Role
from surveys import services
from tests.factories import user

LINK = re.compile(r"\?n=([A-Za-z0-9_-]+)")


def staff(city, count_a=6, count_b=4):
    people = [user(f"staff_a{i}", (Role.EMPLOYEE, city.north_a)) for i in range(count_a)]
    people += [user(f"staff_b{i}", (Role.EMPLOYEE, city.north_b)) for i in range(count_b)]
    return people


def start(city, actor=None, **kwargs):
    today = timezone.localdate()
    values = dict(title="Exponeringsenkät 2026", period_start=today - timedelta(days=365), period_end=today,
                  closes_on=today + timedelta(days=14))
    values.update(kwargs)
    return services.start_survey(actor or city.security, city.north, **values)


def secrets_from(inbox):
    """{recipient: secret} from the e-mails the SMTP server received."""
    out = {}
    for message in inbox.messages:
        found = LINK.search(message["body"])
        if found:
            out[message["to"][0]] = found.group(1)
    return out


def exposure(exposed=("hot",), reported="none", reasons=("too_much_work",)):
    out = {}
    for code in ("hot", "vald", "trakasserier", "skadegorelse", "korruption"):
        if code in exposed:
            out[code] = {"exposed": True, "times": "2-5", "reported": reported,
                         "reasons": list(reasons) if reported != "all" else []}
        else:
            out[code] = {"exposed": False}
    return out


def answer_data(unit, **kwargs):
    return {"unit": unit, "operation_area": unit.operation_area, "exposure": exposure(**kwargs), "own": {}}


def form_post(secret, unit, exposed=("hot",)):
    """What the answer page's form sends."""
    data = {"n": secret, "unit": str(unit.pk), "area": ""}
    for code in ("hot", "vald", "trakasserier", "skadegorelse", "korruption"):
        if code in exposed:
            data.update({f"{code}_exposed": "yes", f"{code}_times": "2-5", f"{code}_reported": "none",
                         f"{code}_reasons": ["fear", "part_of_the_job"]})
        else:
            data[f"{code}_exposed"] = "no"
    return data
