"""The exit survey (avgångsenkät): a standing anonymous survey of a node that
HR hands to the people who leave, and its results per year beside the
turnover of the people register and the incidents per 100 employees.

The design of the prevalence survey holds (docs/surveys.md): an
`Invitation` row says that a person was invited, a `Token` holds only the
digest of a link's secret, and an `ExitAnswer` holds what was answered with
its unit and year, a random key and nothing else. Since exit invitations go
out one or a few at a time, the order of the token rows would follow the
order of the invitation rows, so that whether a token was spent would say
whether that person answered. Every new invitation therefore rewrites the
survey's tokens in a random order (`_add_tokens`), and answers are kept per
year, not per week: a leaver's week is close to their last day, which the
people register holds.

start_exit_survey(actor, node, ...)   one open exit survey per node
leavers(survey, today)                people whose end of employment is near
invite(actor, survey, people)         e-mail each of them a single-use link
invite_due_leavers(today)             what an import of the people file triggers
print_link(actor, survey)             one single-use link to print
submit_exit_answer(secret, data)      store one answer and spend the link
record_review(actor, survey, note)    the yearly review, which closes the cycle's duty
build(user, survey)                   the results per year, turnover and incidents
"""
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.log import record
from incidents import access
from organisation.models import Headcount, OrgUnit, Role, User
from situation.suppression import Cell, primary, visible
from surveys import results
from surveys.models import DEFAULT_MIN_ANSWERS, ExitAnswer, Invitation, Survey, Token

logger = logging.getLogger(__name__)

# An import of the people file invites the people whose end of employment
# lies from DAYS_AFTER days ago to DAYS_BEFORE days ahead; someone whose end
# date is further ahead is invited by a later import (HR's file is imported
# regularly). HR may also invite by hand on the survey's page.
DAYS_BEFORE = 30
DAYS_AFTER = 30

# Why they leave: fixed choices (several may be chosen), as exit interviews ask.
REASONS = [
    ("new_job", gettext_lazy("Nytt arbete hos en annan arbetsgivare")),
    ("workload", gettext_lazy("Hög arbetsbelastning")),
    ("work_environment", gettext_lazy("Arbetsmiljön eller arbetsklimatet")),
    ("influence", gettext_lazy("Hot, våld eller annan påverkan i arbetet")),
    ("management", gettext_lazy("Ledning eller chef")),
    ("pay", gettext_lazy("Lön eller anställningsvillkor")),
    ("development", gettext_lazy("Brist på utveckling i arbetet")),
    ("personal", gettext_lazy("Flytt eller personliga skäl")),
    ("retirement", gettext_lazy("Pension")),
    ("fixed_term", gettext_lazy("Tidsbegränsad anställning som tar slut")),
    ("other", gettext_lazy("Annat skäl")),
]
# Whether the influence mattered for the decision to leave.
MATTERED = [
    ("much", gettext_lazy("Ja, i hög grad")),
    ("some", gettext_lazy("Ja, delvis")),
    ("no", gettext_lazy("Nej")),
]


def runnable(user, survey) -> bool:
    from surveys.services import can_run

    return survey.is_exit and can_run(user, survey)


def _require_run(user, survey):
    if not runnable(user, survey):
        raise PermissionDenied


def open_exit_survey(node):
    return Survey.objects.filter(kind=Survey.Kind.EXIT, node=node, status=Survey.Status.OPEN).first()


def start_exit_survey(actor, node, *, title, min_answers=DEFAULT_MIN_ANSWERS, today=None) -> Survey:
    """Start the standing exit survey of a node.

    Checks: the actor is a security coordinator or HR at the node or above
    (404 otherwise); the node has no open exit survey and at least
    `min_answers` people in the people register (ValidationError saying
    why). Saves the survey (open until closed, no last day); audits
    survey.start with kind "exit"; invites the people whose end of
    employment is near (invite)."""
    from surveys.services import invitees, runnable_nodes

    if not runnable_nodes(actor).filter(pk=node.pk).exists():
        raise Http404
    today = today or timezone.localdate()
    min_answers = max(int(min_answers), DEFAULT_MIN_ANSWERS)
    if open_exit_survey(node):
        raise ValidationError(_("%(node)s har redan en öppen avgångsenkät. Stäng den först om du vill börja "
                                "om.") % {"node": node.name})
    count = invitees(node).count()
    if count < min_answers:
        raise ValidationError(ngettext(
            "%(node)s har bara %(count)s medarbetare med e-postadress i personalregistret. En enkät kräver "
            "minst %(min)s, annars kan svaren spåras till enskilda personer.",
            "%(node)s har bara %(count)s medarbetare med e-postadress i personalregistret. En enkät kräver "
            "minst %(min)s, annars kan svaren spåras till enskilda personer.", count)
            % {"node": node.name, "count": count, "min": min_answers})
    with transaction.atomic():
        survey = Survey.objects.create(
            kind=Survey.Kind.EXIT, node=node, title=title, period_start=today, period_end=today, closes_on=None,
            min_answers=min_answers, created_by=actor, invited=0, invitations_sent_on=today)
        record(actor, "survey.start", survey, changes={
            "kind": [None, Survey.Kind.EXIT], "title": [None, title], "node": [None, str(node.pk)],
            "min_answers": [None, min_answers]})
    invite(actor, survey, leavers(survey, today), today=today)
    return survey


def leavers(survey, today=None):
    """People of the survey's node (an employee assignment there, active or
    ended) whose end of employment lies from DAYS_AFTER days ago to
    DAYS_BEFORE days ahead, with an e-mail address, not invited yet."""
    today = today or timezone.localdate()
    return (User.objects.filter(assignments__role=Role.EMPLOYEE, assignments__node__path__startswith=survey.node.path,
                                employment_end__gte=today - timedelta(days=DAYS_AFTER),
                                employment_end__lte=today + timedelta(days=DAYS_BEFORE))
            .exclude(email="").exclude(pk__in=Invitation.objects.filter(survey=survey).values("user_id"))
            .distinct().order_by("employment_end", "last_name", "first_name", "pk"))


def _add_tokens(survey, digests) -> None:
    """Add tokens and rewrite all of the survey's tokens in a random order,
    so that the place of a token says nothing about which invitation it
    belongs to (an exit survey's invitations come one or a few at a time)."""
    rows = list(Token.objects.select_for_update().filter(survey=survey).values_list("digest", "used"))
    tokens = [Token(digest=d, survey=survey, used=u) for d, u in rows]
    tokens += [Token(digest=d, survey=survey) for d in digests]
    secrets.SystemRandom().shuffle(tokens)
    Token.objects.filter(survey=survey).delete()
    Token.objects.bulk_create(tokens, batch_size=2000)


def invite(actor, survey, people, *, today=None, actor_label: str = "") -> int:
    """Invite each person (once per survey) with a personal single-use link.

    Checks: the survey is an open exit survey; with an actor, that they may
    run it (403 otherwise). Saves one Invitation per person and their tokens
    (digest only, all the survey's tokens rewritten in a random order) and
    the number invited; audits survey.invite with the number, never who.
    Sends each person their link after the response; the secrets are kept
    only in memory until then."""
    from surveys.services import digest

    if actor is not None:
        _require_run(actor, survey)
    today = today or timezone.localdate()
    if not survey.is_exit or not survey.accepts_answers(today):
        raise ValidationError(_("Avgångsenkäten är stängd, så inga inbjudningar skickas."))
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        invited = set(Invitation.objects.filter(survey=survey).values_list("user_id", flat=True))
        people = [p for p in {p.pk: p for p in people}.values() if p.pk not in invited and p.email]
        if not people:
            return 0
        secrets_ = [secrets.token_urlsafe(24) for _person in people]
        _add_tokens(survey, [digest(s) for s in secrets_])
        Invitation.objects.bulk_create([Invitation(survey=survey, user=p) for p in people])
        Survey.objects.filter(pk=survey.pk).update(invited=F("invited") + len(people))
        record(actor, "survey.invite", survey, changes={"invited": [None, len(people)]},
               actor_label=actor_label)
    survey.refresh_from_db(fields=["invited"])
    letters = [(p.email, s) for p, s in zip(people, secrets_, strict=True)]
    del secrets_
    from notifications.mail import after_response

    after_response(lambda: _send_invitations(survey, letters))
    return len(people)


def _send_invitations(survey, letters) -> int:
    from surveys.services import _send, answer_url

    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Anonym avgångsenkät: %(title)s") % {"title": survey.title}
        text = _("Hej!\n\nDu slutar snart, eller har nyss slutat, i %(node)s. Vi vill veta varför medarbetare "
                 "slutar och om de har utsatts för hot, våld, trakasserier, skadegörelse eller mutförsök i "
                 "arbetet. Enkäten tar ungefär två minuter.\n\nLänken nedan är personlig och kan bara användas "
                 "en gång. Värn sparar inte vem som fick vilken länk, så ingen kan se vad du har svarat. Svaren "
                 "visas bara sammanställda för grupper med tillräckligt många svar.") % {"node": survey.node.name}
        messages = [EmailMessage(subject=subject, body=f"{text}\n\n{answer_url(secret)}", to=[address])
                    for address, secret in letters]
    return _send(messages)


def invite_due_leavers(today=None, **kwargs) -> int:
    """Every open exit survey invites its leavers (leavers()): what an import
    of the people file triggers (organisation.people.people_imported).
    Audited as the import. Returns the number invited."""
    today = today or timezone.localdate()
    count = 0
    for survey in Survey.objects.filter(kind=Survey.Kind.EXIT, status=Survey.Status.OPEN).select_related("node"):
        people = list(leavers(survey, today))
        if people:
            count += invite(None, survey, people, today=today, actor_label="import_people")
    return count


def print_link(actor, survey, *, today=None) -> str:
    """One single-use link for HR to print and hand over. Checks as invite.
    Saves its token (the tokens rewritten in a random order) and the number
    invited; audits survey.print. Returns the secret, which is shown once
    and kept nowhere."""
    from surveys.services import digest

    _require_run(actor, survey)
    today = today or timezone.localdate()
    if not survey.accepts_answers(today):
        raise ValidationError(_("Avgångsenkäten är stängd, så ingen länk skapas."))
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        _add_tokens(survey, [digest(secret)])
        Survey.objects.filter(pk=survey.pk).update(invited=F("invited") + 1)
        record(actor, "survey.print", survey, changes={"printed": [None, 1]})
    survey.refresh_from_db(fields=["invited"])
    return secret


def submit_exit_answer(secret: str, data: dict, today=None):
    """Spend the link and store one answer, both or neither (as
    services.submit_answer). The answer keeps the unit, the year and what was
    answered. Nothing is audited or logged."""
    from surveys.services import Link, LinkState, digest, open_link

    today = today or timezone.localdate()
    link = open_link(secret, today)
    if link.state != LinkState.OK or not link.survey.is_exit:
        return link
    with transaction.atomic():
        if Token.objects.filter(digest=digest(secret), used=False).update(used=True) != 1:
            return Link(LinkState.USED, link.survey)
        ExitAnswer.objects.create(survey=link.survey, unit=data["unit"], year=today.year, reasons=data["reasons"],
                                  exposed=data["exposed"], mattered=data["mattered"])
    return Link(LinkState.OK, link.survey)


# --- the yearly review --------------------------------------------------------------

def review_occurrence(survey, today=None):
    """The annual cycle's open or done occurrence of the exit survey's yearly
    review for the survey's node (or the nearest node above with the duty)
    whose period has begun, newest first. None when the cycle has none."""
    from cycle.models import Duty, DutyOccurrence

    today = today or timezone.localdate()
    paths = _paths_up(survey.node)
    duty = (Duty.objects.filter(kind=Duty.Kind.EXIT_SURVEY_REVIEW, active=True, node__path__in=paths)
            .order_by("-node__path").first())
    if duty is None:
        return None
    return (DutyOccurrence.objects.filter(duty=duty, period_start__lte=today)
            .order_by("-period_start").first())


def record_review(actor, survey, note: str = "", *, today=None):
    """The year's review of the exit survey was held. Checks: the actor may
    run the survey (403); the cycle has a review duty for the node
    (ValidationError). Marks its occurrence done through
    cycle.services.mark_done (which checks and audits it) with a link to the
    survey; audits survey.review with the note."""
    from cycle import services as cycle_services

    _require_run(actor, survey)
    today = today or timezone.localdate()
    occurrence = review_occurrence(survey, today)
    if occurrence is None:
        raise ValidationError(_("Årshjulet har ingen uppgift för genomgången av avgångsenkäten här. Lägg till "
                                "årshjulets standarduppgifter först."))
    note = note.strip()
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Avgångsenkätens resultat för %(year)s genomgångna.") % {"year": occurrence.period_start.year}
    if note:
        text = f"{text} {note}"
    with transaction.atomic():
        cycle_services.mark_done(actor, occurrence, done_at=today,
                                 result_url=reverse("surveys:detail", args=[survey.pk]), result_note=text[:2000])
        record(actor, "survey.review", survey, changes={"occurrence": [None, str(occurrence.pk)],
                                                         "note": [None, note or None]})
    return occurrence


def _paths_up(node) -> list[str]:
    parts = node.path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


# --- results ------------------------------------------------------------------------

@dataclass
class ExitFigures:
    answers: int
    reasons: list  # [(code, label, count)]
    exposed: int
    exposed_low: float
    exposed_high: float
    forms: list  # [(form, count)]
    mattered: dict  # much/some/no -> count, among the exposed

    @property
    def exposed_share(self):
        return self.exposed / self.answers if self.answers else 0.0

    @property
    def mattered_any(self):
        return self.mattered.get("much", 0) + self.mattered.get("some", 0)


@dataclass
class ExitRow:
    label: str
    depth: int
    count: int
    residual: bool
    figures: ExitFigures


@dataclass
class ExitYear:
    year: int
    rows: list  # [] when the year has fewer answers than the minimum
    shown: bool


@dataclass
class TurnoverYear:
    year: int
    employees: int | None
    leavers: Cell
    incidents: Cell
    answers_shown: bool

    @staticmethod
    def _per_100(cell, employees):
        if cell.hidden or not employees:
            return None
        return 100 * cell.value / employees

    @property
    def leavers_per_100(self):
        return self._per_100(self.leavers, self.employees)

    @property
    def incidents_per_100(self):
        return self._per_100(self.incidents, self.employees)


@dataclass
class ExitResults:
    survey: Survey
    answers: int
    invited: int
    years: list  # ExitYear, newest first
    turnover: list  # TurnoverYear, oldest first
    aggregate_only: bool
    chart: str = ""
    forms: list = field(default_factory=list)

    @property
    def response_percent(self):
        return round(100 * self.answers / self.invited) if self.invited else None


def figures(forms, answers) -> ExitFigures:
    """answers: [(reasons, exposed, mattered)]."""
    n = len(answers)
    reasons = Counter(r for rs, _e, _m in answers for r in rs)
    exposed = [(e, m) for _r, e, m in answers if e]
    by_form = Counter(code for e, _m in exposed for code in e)
    mattered = Counter(m for _e, m in exposed)
    low, high = results.wilson(len(exposed), n)
    return ExitFigures(n, [(code, label, reasons.get(code, 0)) for code, label in REASONS], len(exposed), low, high,
                       [(f, by_form.get(f.code, 0)) for f in forms],
                       {code: mattered.get(code, 0) for code, _label in MATTERED})


def year_plans(root_id, parent_of: dict, counts_by_year: dict, minimum: int) -> dict:
    """{year: results.plan(...)} for each year on its own. No figure is
    published over several years, so a year with too few answers (an empty
    plan) cannot be worked out as a difference either."""
    return {year: results.plan(root_id, parent_of, counts, minimum) for year, counts in counts_by_year.items()}


def _year_bounds(year):
    return date(year, 1, 1), date(year, 12, 31)


def turnover(user, survey, years, aggregate_only: bool, today=None) -> list[TurnoverYear]:
    """Per year: employees (the organisation's headcount of the node's units),
    leavers (people of the register whose employment ended that year, up to
    today) and incidents (reports of events that year in the node's units,
    counted through incidents.access.countable_incidents of the reader).
    Counts of 1–4 are hidden for aggregate-only readers, and so is the rate
    that would give them away. Reads only."""
    today = today or timezone.localdate()
    ids = list(OrgUnit.objects.subtree_of(survey.node).values_list("pk", flat=True))
    heads = defaultdict(int)
    for year, employees in Headcount.objects.filter(unit_id__in=ids, year__in=years).values_list("year", "employees"):
        heads[year] += employees
    cell = primary if aggregate_only else visible
    out = []
    for year in sorted(years):
        start, end = _year_bounds(year)
        end = min(end, today)
        left = (User.objects.filter(assignments__role=Role.EMPLOYEE, assignments__node__path__startswith=survey.node.path,
                                    employment_end__gte=start, employment_end__lte=end).distinct().count())
        incidents = (access.countable_incidents(user).filter(unit_id__in=ids, occurred_at__date__gte=start,
                                                             occurred_at__date__lte=end)
                     .values("pk").distinct().count())
        out.append(TurnoverYear(year, heads.get(year) or None, cell(left), cell(incidents), False))
    return out


def chart(rows: list[TurnoverYear]) -> str:
    from situation import svg

    if not any(r.leavers_per_100 is not None or r.incidents_per_100 is not None for r in rows):
        return ""
    return svg.line_chart(
        [str(r.year) for r in rows],
        [{"label": _("Avgångar per 100 anställda"), "data": [r.leavers_per_100 for r in rows]},
         {"label": _("Incidenter per 100 anställda"), "data": [r.incidents_per_100 for r in rows]}],
        _("Avgångar och incidenter per 100 anställda och år"), height=220)


def build(user, survey, today=None) -> ExitResults:
    """The exit survey's results as `user` may see them: per year, the groups
    of at least the minimum (results.plan, for each year on its own), and the
    turnover against incidents for the years of the answers and the two
    before the survey started. Aggregate-only readers (analyst, committee)
    see the survey's node only. Reads only."""
    from incidents.models import InfluenceForm

    today = today or timezone.localdate()
    aggregate_only = access.is_aggregate_only(user) and not user.has_role(*access.CASE_ROLES)
    forms = list(InfluenceForm.objects.filter(active=True))
    nodes = {n.pk: n for n in OrgUnit.objects.subtree_of(survey.node)}
    parent_of = {pk: (n.parent_id if pk != survey.node_id else None) for pk, n in nodes.items()}
    rows = list(ExitAnswer.objects.filter(survey=survey).values_list("unit_id", "year", "reasons", "exposed",
                                                                     "mattered"))
    by_year = defaultdict(lambda: defaultdict(list))
    counts = defaultdict(Counter)
    for unit, year, reasons, exposed, mattered in rows:
        if unit in nodes:
            by_year[year][unit].append((reasons, exposed, mattered))
            counts[year][unit] += 1
    plans = year_plans(survey.node_id, parent_of, counts, survey.min_answers)
    years = []
    for year in sorted(plans, reverse=True):
        out_rows = []
        for node_id, depth, total, residual_ids, residual_count in plans[year]:
            if aggregate_only and depth > 0:
                continue
            node = nodes[node_id]
            inside = [a for pk, n in nodes.items() if n.path.startswith(node.path) for a in by_year[year].get(pk, ())]
            out_rows.append(ExitRow(node.name, depth, total, False, figures(forms, inside)))
            if residual_count and residual_count != total and not aggregate_only:
                residual = [a for pk in residual_ids for a in by_year[year].get(pk, ())]
                out_rows.append(ExitRow(_("Övriga i %(node)s") % {"node": node.name}, depth + 1, residual_count,
                                        True, figures(forms, residual)))
        years.append(ExitYear(year, out_rows, bool(out_rows)))
    span = set(plans) | {survey.created_at.year - 2, survey.created_at.year - 1, today.year}
    span = set(range(min(span), today.year + 1))
    trend = turnover(user, survey, sorted(span), aggregate_only, today)
    shown_years = {y.year for y in years if y.shown}
    for t in trend:
        t.answers_shown = t.year in shown_years
    return ExitResults(survey, len(rows), survey.invited, years, trend, aggregate_only, chart(trend), forms)


def latest_for(user, node, today=None) -> ExitResults | None:
    """The newest exit survey of `node` or a node above it that `user` may
    read, with its turnover against incidents: the situation picture's
    section. None when there is none. Reads only."""
    from surveys.services import VIEW_ROLES

    if not user.has_role(*VIEW_ROLES):
        return None
    covered = access.covered_nodes(user, roles=VIEW_ROLES)
    survey = (Survey.objects.filter(kind=Survey.Kind.EXIT, node__in=covered, node__path__in=_paths_up(node))
              .select_related("node").order_by("-node__path", "-created_at").first())
    return build(user, survey, today) if survey else None
