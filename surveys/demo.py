"""A finished prevalence survey for the demo (seed_demo): one district's
staff invited last autumn, about seven in ten answered, with exposure and
reporting close to the national figures (SKR 2023: about 3 in 10 threatened
or subjected to violence in a year; Vision 2021: about 1 in 5 reported). No
e-mail is sent and the links' secrets are thrown away at once."""
import hashlib
import secrets
from datetime import date, timedelta

from organisation.models import OrgUnit, Role, RoleAssignment
from surveys import services
from surveys.models import Answer, Invitation, Survey, Token

# form: (share exposed, share of the exposed who reported every time, sometimes)
PROFILE = {"hot": (0.30, 0.20, 0.25), "vald": (0.10, 0.35, 0.25), "trakasserier": (0.22, 0.12, 0.2),
           "skadegorelse": (0.06, 0.3, 0.2), "korruption": (0.03, 0.1, 0.2)}
REASON_WEIGHTS = {"did_not_know_how": 2, "too_much_work": 5, "part_of_the_job": 6, "fear": 2,
                  "did_not_count": 4, "other": 1}


def seed(rng, today=None, coordinator: str = "sakerhet") -> Survey | None:
    """The survey of the district of the demo's security coordinator (the
    `coordinator` login), or of the first district with one."""
    today = today or date.today()
    rows = (RoleAssignment.objects.filter(role=Role.SECURITY_COORDINATOR, active=True,
                                                     node__kind=OrgUnit.Kind.ADMINISTRATION,
                                                     user__is_active=True)
                       .exclude(user__password__startswith="!").select_related("node", "user")
                       .order_by("node__path"))
    coordinator_row = rows.filter(user__username=coordinator).first() or rows.first()
    if coordinator_row is None:
        return None
    node = coordinator_row.node
    people = list(services.invitees(node))
    if len(people) < 5:
        return None
    closes = today - timedelta(days=40)
    survey = Survey.objects.create(
        node=node, title=f"Exponeringsenkät {closes.year} – {node.name}",
        period_start=closes - timedelta(days=380), period_end=closes - timedelta(days=15), closes_on=closes,
        created_by=coordinator_row.user, invited=len(people), invitations_sent_on=closes - timedelta(days=14),
        reminded_on=closes - timedelta(days=5), status=Survey.Status.CLOSED)
    Invitation.objects.bulk_create([Invitation(survey=survey, user=p, reminded=True) for p in people])
    answering = rng.sample(range(len(people)), k=round(len(people) * 0.7))
    tokens = [Token(digest=hashlib.sha256(secrets.token_bytes(24)).hexdigest(), survey=survey,
                    used=i in set(answering)) for i in range(len(people))]
    rng.shuffle(tokens)
    Token.objects.bulk_create(tokens)
    units = services.answer_units(survey)
    by_unit = {}
    for row in RoleAssignment.objects.filter(role=Role.EMPLOYEE, active=True, user__in=people,
                                             node__path__startswith=node.path).values_list("user_id", "node_id"):
        by_unit.setdefault(row[0], row[1])
    unit_of = {u.pk: u for u in units}
    week_days = [closes - timedelta(days=d) for d in range(14)]
    answers = []
    for i in answering:
        unit = unit_of.get(by_unit.get(people[i].pk)) or rng.choice(units)
        exposure = {}
        for code, (share, always, sometimes) in PROFILE.items():
            if rng.random() >= share:
                exposure[code] = {"exposed": False}
                continue
            r = rng.random()
            reported = "all" if r < always else ("some" if r < always + sometimes else "none")
            reasons = []
            if reported != "all":
                reasons = sorted(set(rng.choices(list(REASON_WEIGHTS), weights=list(REASON_WEIGHTS.values()),
                                                 k=rng.choice((1, 1, 2)))))
            exposure[code] = {"exposed": True, "times": rng.choice(("1", "2-5", "2-5", "6-10", "11+")),
                              "reported": reported, "reasons": reasons}
        answers.append(Answer(survey=survey, unit=unit, operation_area=unit.operation_area,
                              week=services.iso_week(rng.choice(week_days)), exposure=exposure))
    Answer.objects.bulk_create(answers)
    return survey
