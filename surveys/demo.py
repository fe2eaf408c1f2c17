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


# Why the demo's leavers leave (weights), and the share exposed and for whom it mattered.
EXIT_REASONS = {"new_job": 8, "workload": 7, "work_environment": 4, "influence": 3, "management": 3, "pay": 4,
                "development": 2, "personal": 2, "retirement": 2, "fixed_term": 2, "other": 1}
EXIT_EXPOSED = 0.45
EXIT_TURNOVER = 0.09  # leavers per employee and year
EXIT_ANSWERED = 0.75


def seed_exit(rng, today=None, coordinator: str = "sakerhet") -> Survey | None:
    """The standing exit survey of the same district, started two years ago:
    leavers in the people register (inactive accounts with an end of
    employment) for this year and the two before, about three in four of whom
    answered. No e-mail is sent and the links' secrets are thrown away."""
    from organisation.models import Headcount, User
    from surveys.models import ExitAnswer

    today = today or date.today()
    row = (RoleAssignment.objects.filter(role=Role.SECURITY_COORDINATOR, active=True,
                                         node__kind=OrgUnit.Kind.ADMINISTRATION, user__username=coordinator)
           .select_related("node", "user").first())
    if row is None:
        return None
    node = row.node
    staff = services.invitees(node).count()
    units = services.answer_units(Survey(node=node))
    if staff < 5 or not units:
        return None
    started = date(today.year - 2, 1, 15)
    survey = Survey.objects.create(kind=Survey.Kind.EXIT, node=node, title=f"Avgångsenkät – {node.name}",
                                   period_start=started, period_end=started, closes_on=None,
                                   created_by=row.user, invitations_sent_on=started)
    leavers, answers, tokens = [], [], []
    for year in (today.year - 2, today.year - 1, today.year):
        last = today if year == today.year else date(year, 12, 31)
        employees = sum(Headcount.objects.filter(unit__path__startswith=node.path, year=year)
                        .values_list("employees", flat=True)) or staff
        count = max(8, round(employees * EXIT_TURNOVER * (last.timetuple().tm_yday / 365)))
        for i in range(count):
            unit = rng.choice(units)
            end = date(year, 1, 1) + timedelta(days=rng.randrange((last - date(year, 1, 1)).days + 1))
            person = User(username=f"avgangen-{node.code}-{year}-{i}".lower(), first_name="Avgången",
                          last_name=f"{year}-{i + 1}", email=f"avgangen-{year}-{i}@example.se",
                          employment_end=end, is_active=end >= today)
            person.set_unusable_password()
            leavers.append((person, unit))
            answered = rng.random() < EXIT_ANSWERED
            tokens.append(Token(digest=hashlib.sha256(secrets.token_bytes(24)).hexdigest(), survey=survey,
                                used=answered))
            if not answered:
                continue
            reasons = sorted(set(rng.choices(list(EXIT_REASONS), weights=list(EXIT_REASONS.values()),
                                             k=rng.choice((1, 2, 2, 3)))))
            exposed = []
            mattered = ""
            if rng.random() < EXIT_EXPOSED:
                exposed = sorted(set(rng.choices(list(PROFILE), weights=[p[0] for p in PROFILE.values()],
                                                 k=rng.choice((1, 1, 2)))))
                mattered = rng.choice(("much", "some", "some", "no", "no"))
                if mattered == "much" and "influence" not in reasons:
                    reasons = sorted(reasons + ["influence"])
            answers.append(ExitAnswer(survey=survey, unit=unit, year=end.year, reasons=reasons, exposed=exposed,
                                      mattered=mattered))
    User.objects.bulk_create([p for p, _u in leavers])
    saved = {u.username: u for u in User.objects.filter(username__in=[p.username for p, _u in leavers])}
    RoleAssignment.objects.bulk_create([RoleAssignment(user=saved[p.username], role=Role.EMPLOYEE, node=u,
                                                       source=RoleAssignment.Source.HR) for p, u in leavers])
    Invitation.objects.bulk_create([Invitation(survey=survey, user=saved[p.username]) for p, _u in leavers])
    rng.shuffle(tokens)
    Token.objects.bulk_create(tokens)
    rng.shuffle(answers)
    ExitAnswer.objects.bulk_create(answers)
    Survey.objects.filter(pk=survey.pk).update(invited=len(leavers))
    survey.refresh_from_db()
    return survey
