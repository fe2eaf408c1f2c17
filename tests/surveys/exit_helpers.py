"""Shared test data for the exit survey: staff in the north and people who
are about to leave."""
from datetime import timedelta

from django.utils import timezone

from organisation.models import Role, User
from surveys import exit as exit_survey
from tests.factories import user
from tests.surveys.helpers import staff


def leavers(city, count=6, days=10, prefix="leaver"):
    out = []
    for i in range(count):
        unit = city.north_a if i % 2 else city.north_b
        person = user(f"{prefix}_{i}", (Role.EMPLOYEE, unit))
        User.objects.filter(pk=person.pk).update(employment_end=timezone.localdate() + timedelta(days=days))
        out.append(person)
    return out


def start_exit(city, actor=None, **kwargs):
    staff(city)
    return exit_survey.start_exit_survey(actor or city.hr, city.north, title=kwargs.pop("title", "Avgångsenkät Norr"),
                                         **kwargs)


def exit_post(secret, unit, exposed=("hot",), reasons=("workload", "influence"), mattered="much"):
    data = {"n": secret, "unit": str(unit.pk), "reasons": list(reasons)}
    if exposed:
        data.update({"exposed": "yes", "forms": list(exposed), "mattered": mattered})
    else:
        data["exposed"] = "no"
    return data


def exit_data(unit, exposed=("hot",), reasons=("workload",), mattered="some"):
    return {"unit": unit, "reasons": sorted(reasons), "exposed": sorted(exposed),
            "mattered": mattered if exposed else ""}
