"""Free texts about a case that other apps keep in tables of their own (the
support track's notes, the employee's comments): each app registers them
here, and gallring (retention.thinning) removes them with the case's own
free texts, counts them in its preview, and keeps their rows' coded values.

register(model, to_incident, fields): `to_incident` is the lookup from the
model to the incident's id ("incident_id", "track__incident_id"); `fields`
are text columns that gallring empties. Rows are reached through the model's
`unscoped` manager: gallring is a system path over every case.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseTexts:
    model: type
    to_incident: str
    fields: tuple[str, ...]

    def rows(self):
        return self.model.unscoped.all()


_registered: list[CaseTexts] = []


def register(model, to_incident: str, fields) -> None:
    entry = CaseTexts(model, to_incident, tuple(fields))
    if entry not in _registered:
        _registered.append(entry)


def registered() -> list[CaseTexts]:
    return list(_registered)
