"""The surveys' business rules. Views parse forms and call one of these.

Every function that changes something checks the actor's permission itself
(Http404 for a node or survey outside the actor's scope, PermissionDenied for
one they see but may not run), saves and writes the audit log. Answering is
done without an account: the link's secret is the only permission, and
nothing about the person who answers is written anywhere (docs/surveys.md).

runnable_nodes(user)                  nodes where the user may start a survey
visible_surveys(user)                 the surveys the user may see
get_survey(user, pk)                  one of them, or 404
invitees(node)                        who would be invited for a node
start_survey(actor, node, ...)        check the number of people, save, invite
send_reminder(actor, survey)          one reminder to every invited person
close_survey(actor, survey)           no more answers
create_shared_link(actor, survey, unit) one shared link of a unit, shown once
open_link(secret, today)              what the answer page shows for a link
submit_answer(secret, data, today)    store one answer and spend the link
submit_shared_answer(secret, nonce, data, today)  one answer through a shared link
The exit survey's own functions are in surveys/exit.py.
"""
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.log import record
from incidents import access
from notifications.mail import absolute, after_response
from organisation.models import OrgUnit, Role, User
from surveys.models import (
    DEFAULT_MIN_ANSWERS,
    Answer,
    ExitAnswer,
    Invitation,
    OwnQuestion,
    SharedLink,
    Survey,
    Token,
)

logger = logging.getLogger(__name__)

RUN_ROLES = (Role.SECURITY_COORDINATOR, Role.HR)
# Results are aggregates of at least min_answers people: the roles that read
# the situation picture's aggregates may read them too.
VIEW_ROLES = RUN_ROLES + (Role.ANALYST, Role.COMMITTEE)
# E-mails handed to the mail server per connection round.
MAIL_BATCH = 500


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def runnable_nodes(user):
    return access.covered_nodes(user, roles=RUN_ROLES)


def may_run(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(*RUN_ROLES))


def may_view(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(*VIEW_ROLES))


def visible_surveys(user):
    nodes = access.covered_nodes(user, roles=VIEW_ROLES)
    return Survey.objects.filter(node__in=nodes).select_related("node")


def get_survey(user, pk) -> Survey:
    try:
        return visible_surveys(user).get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_run(user, survey) -> bool:
    return runnable_nodes(user).filter(pk=survey.node_id).exists()


def invitees(node):
    """Active people of the people register at the node or below (an active
    employee assignment there) who have an e-mail address."""
    return (User.objects.filter(is_active=True, assignments__active=True, assignments__role=Role.EMPLOYEE,
                                assignments__node__path__startswith=node.path,
                                assignments__node__active=True)
            .exclude(email="").distinct().order_by("pk"))


def answer_units(survey):
    """The units an answer may concern: the active units in the survey's
    subtree, or the node itself when it is a unit."""
    units = list(OrgUnit.objects.subtree_of(survey.node).filter(active=True, kind=OrgUnit.Kind.UNIT))
    return units or [survey.node]


@dataclass
class Started:
    survey: Survey
    invited: int


def start_survey(actor, node, *, title, period_start, period_end, closes_on,
                 min_answers=DEFAULT_MIN_ANSWERS, own_questions=(), today=None) -> Started:
    """Start a survey and invite everyone in scope.

    Checks: the actor is a security coordinator or HR at the node or above
    (404 otherwise); at least `min_answers` people can be invited
    (ValidationError saying how many there are). Saves the survey, its own
    questions, one Invitation per person and, in a separate shuffled batch,
    one Token per person (digest only). Audits the start with the number
    invited, never who. Sends each person their link after the response."""
    if not runnable_nodes(actor).filter(pk=node.pk).exists():
        raise Http404
    today = today or timezone.localdate()
    min_answers = max(int(min_answers), DEFAULT_MIN_ANSWERS)
    people = list(invitees(node).only("pk", "email", "first_name"))
    if len(people) < min_answers:
        raise ValidationError(ngettext(
            "%(node)s har bara %(count)s medarbetare med e-postadress i personalregistret. En enkät kräver "
            "minst %(min)s, annars kan svaren spåras till enskilda personer.",
            "%(node)s har bara %(count)s medarbetare med e-postadress i personalregistret. En enkät kräver "
            "minst %(min)s, annars kan svaren spåras till enskilda personer.", len(people))
            % {"node": node.name, "count": len(people), "min": min_answers})
    with transaction.atomic():
        survey = Survey.objects.create(
            node=node, title=title, period_start=period_start, period_end=period_end, closes_on=closes_on,
            min_answers=min_answers, created_by=actor, invited=len(people), invitations_sent_on=today)
        OwnQuestion.objects.bulk_create([
            OwnQuestion(survey=survey, text=text, kind=kind, position=i)
            for i, (text, kind) in enumerate(own_questions)])
        secrets_ = [secrets.token_urlsafe(24) for _person in people]
        tokens = [Token(digest=digest(s), survey=survey) for s in secrets_]
        secrets.SystemRandom().shuffle(tokens)
        Token.objects.bulk_create(tokens, batch_size=2000)
        Invitation.objects.bulk_create([Invitation(survey=survey, user=p) for p in people], batch_size=2000)
        record(actor, "survey.start", survey, changes={
            "title": [None, title], "node": [None, str(node.pk)], "period_start": [None, str(period_start)],
            "period_end": [None, str(period_end)], "closes_on": [None, str(closes_on)],
            "min_answers": [None, min_answers], "invited": [None, len(people)],
            "own_questions": [None, len(own_questions)]})
        cycle_duty_done(actor, survey, today)
    # The secrets live only in this closure until the e-mails are handed over.
    letters = [(p.email, s) for p, s in zip(people, secrets_, strict=True)]
    del secrets_
    after_response(lambda: _send_invitations(survey, letters))
    return Started(survey, len(people))


def cycle_duty_done(actor, survey, today) -> None:
    """Starting a prevalence survey marks the annual cycle's survey duty done:
    the duty of the survey's node or the nearest node above with one, its
    occurrence whose period holds today (the year), through
    cycle.services.mark_done (which checks that the actor may and audits
    it). Nothing when there is no such open occurrence or the cycle does not
    let the actor change it."""
    from cycle import services as cycle_services
    from cycle.models import Duty, DutyOccurrence

    parts = survey.node.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    duty = (Duty.objects.filter(kind=Duty.Kind.PREVALENCE_SURVEY, active=True, node__path__in=paths)
            .order_by("-node__path").first())
    if duty is None:
        return
    occurrence = DutyOccurrence.objects.filter(duty=duty, status=DutyOccurrence.Status.OPEN,
                                               period_start__lte=today, period_end__gte=today).first()
    if occurrence is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Enkäten ”%(title)s” startad %(day)s med %(count)s inbjudna.") % {
            "title": survey.title, "day": today.isoformat(), "count": survey.invited}
    try:
        cycle_services.mark_done(actor, occurrence, done_at=today,
                                 result_url=reverse("surveys:detail", args=[survey.pk]), result_note=note[:2000])
    except (PermissionDenied, Http404):
        return


def answer_url(secret: str) -> str:
    # The secret goes in the query string: the access log keeps no query string.
    return absolute(reverse("surveys:answer")) + "?n=" + secret


def _send(messages) -> int:
    sent = 0
    for start in range(0, len(messages), MAIL_BATCH):
        try:
            sent += get_connection().send_messages(messages[start:start + MAIL_BATCH]) or 0
        except Exception:  # the mail server is down: say how many, never to whom
            logger.exception("Could not send %s survey e-mails", len(messages[start:start + MAIL_BATCH]))
    return sent


def _send_invitations(survey, letters) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Anonym enkät: %(title)s") % {"title": survey.title}
        text = _("Hej!\n\nVi vill veta hur ofta medarbetare i %(node)s utsätts för hot, våld, trakasserier, "
                 "skadegörelse eller mutförsök, och om det rapporteras. Enkäten tar ungefär två minuter.\n\n"
                 "Länken nedan är personlig och kan bara användas en gång. Värn sparar inte vem som fick "
                 "vilken länk, så ingen kan se vad du har svarat. Spara det här meddelandet: påminnelsen "
                 "innehåller ingen ny länk.\n\nSista svarsdag: %(closes)s") % {
            "node": survey.node.name, "closes": date_format(survey.closes_on, "j F Y")}
        messages = [EmailMessage(subject=subject, body=f"{text}\n\n{answer_url(secret)}", to=[address])
                    for address, secret in letters]
    return _send(messages)


def send_reminder(actor, survey, *, today=None) -> int:
    """Remind every invited person who has not been reminded, once.

    Värn cannot know who has answered (that is the point), so the reminder
    goes to everyone invited, says "if you have answered, thank you" and
    carries no link: it points to the invitation's. Checks: the actor may run
    the survey (403 otherwise); the survey is open (ValidationError). Saves
    `reminded` on the invitations and the date on the survey; audits the
    number reminded. Sends after the response."""
    if not can_run(actor, survey):
        raise PermissionDenied
    today = today or timezone.localdate()
    if survey.is_exit:
        raise ValidationError(_("En avgångsenkät har ingen påminnelse."))
    if not survey.accepts_answers(today):
        raise ValidationError(_("Enkäten är stängd, så ingen påminnelse skickas."))
    with transaction.atomic():
        pending = Invitation.objects.select_for_update().filter(survey=survey, reminded=False)
        addresses = list(pending.values_list("user__email", flat=True))
        if not addresses:
            return 0
        pending.update(reminded=True)
        Survey.objects.filter(pk=survey.pk).update(reminded_on=today)
        record(actor, "survey.remind", survey, changes={"reminded": [None, len(addresses)],
                                                          "reminded_on": [None, str(today)]})
    survey.reminded_on = today
    after_response(lambda: _send_reminders(survey, addresses))
    return len(addresses)


def _send_reminders(survey, addresses) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Påminnelse: %(title)s") % {"title": survey.title}
        text = _("Hej!\n\nOm du redan har svarat på enkäten: tack, du behöver inte göra något mer.\n\n"
                 "Om du inte har svarat ännu: använd den personliga länken i inbjudan som skickades "
                 "%(sent)s med ämnet ”Anonym enkät: %(title)s”. Värn vet inte vem som har svarat och "
                 "skickar därför den här påminnelsen till alla, utan någon ny länk.\n\n"
                 "Sista svarsdag: %(closes)s") % {
            "sent": date_format(survey.invitations_sent_on, "j F Y") if survey.invitations_sent_on else "",
            "title": survey.title, "closes": date_format(survey.closes_on, "j F Y")}
        messages = [EmailMessage(subject=subject, body=text, to=[a]) for a in addresses if a]
    return _send(messages)


def close_survey(actor, survey) -> None:
    """Close the survey: no more answers. Checks: the actor may run it (403).
    Saves the status and audits it."""
    if not can_run(actor, survey):
        raise PermissionDenied
    if survey.status == Survey.Status.CLOSED:
        return
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    record(actor, "survey.close", survey, changes={"status": [survey.status, Survey.Status.CLOSED]})
    survey.status = Survey.Status.CLOSED
    transaction.on_commit(_rewrite_in_key_order)


def _rewrite_in_key_order() -> None:
    """PostgreSQL keeps rows on disk in the order they were written, and an
    UPDATE writes a new row version at the end: the order of spent links and
    of answers could be read from the files. Rewriting both tables in the
    order of their random keys (CLUSTER) removes that order once a survey
    has closed. SQLite keeps rows in key order already."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside a transaction (a command's, a test's) the deferred
                # foreign-key checks must run first, or CLUSTER refuses.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in (Token, Answer, ExitAnswer):
                table = model._meta.db_table
                cursor.execute(f'CLUSTER "{table}" USING "{table}_pkey"')
    except Exception:  # the survey is closed all the same; the next close tries again
        logger.exception("Could not rewrite the survey tables in key order")


# --- answering -----------------------------------------------------------------------

class LinkState:
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    CLOSED = "closed"


@dataclass
class Link:
    state: str
    survey: Survey | None = None
    # A unit's shared link (answered once per device), or None for a personal one.
    shared: SharedLink | None = None


def open_link(secret: str, today=None) -> Link:
    """What the answer page may show for a link: a personal link (a token)
    or a unit's shared link. Writes nothing."""
    today = today or timezone.localdate()
    if not secret or len(secret) > 100:
        return Link(LinkState.UNKNOWN)
    token = Token.objects.select_related("survey", "survey__node").filter(digest=digest(secret)).first()
    if token is None:
        shared = (SharedLink.objects.select_related("survey", "survey__node", "unit")
                  .filter(digest=digest(secret), active=True).first())
        if shared is None:
            return Link(LinkState.UNKNOWN)
        if not shared.survey.accepts_answers(today):
            return Link(LinkState.CLOSED, shared.survey, shared)
        return Link(LinkState.OK, shared.survey, shared)
    if token.used:
        return Link(LinkState.USED, token.survey)
    if not token.survey.accepts_answers(today):
        return Link(LinkState.CLOSED, token.survey)
    return Link(LinkState.OK, token.survey)


def iso_week(day) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def submit_answer(secret: str, data: dict, today=None) -> Link:
    """Spend the link and store one answer, both or neither.

    `data` is AnswerForm.answer(). The token's flag is turned in one
    conditional UPDATE, so a double submit or two tabs store one answer. The
    answer keeps the unit, the operation area, the ISO week and what was
    answered; no token, time of day, IP or user agent. Nothing is audited or
    logged: an entry at the time of answering would date the answer."""
    today = today or timezone.localdate()
    link = open_link(secret, today)
    if link.state != LinkState.OK or link.shared is not None or link.survey.is_exit:
        return link
    with transaction.atomic():
        spent = Token.objects.filter(digest=digest(secret), used=False).update(used=True)
        if spent != 1:
            return Link(LinkState.USED, link.survey)
        Answer.objects.create(survey=link.survey, unit=data["unit"], operation_area=data["operation_area"],
                              week=iso_week(today), exposure=data["exposure"], own=data["own"])
    return Link(LinkState.OK, link.survey)


def create_shared_link(actor, survey, unit, *, today=None) -> str:
    """A shared link for one unit of an open prevalence survey, for staff
    without accounts; a new link for the unit replaces its old one, which
    stops working. Checks: the actor may run the survey (403); the survey is
    an open prevalence survey and the unit one it may concern
    (ValidationError). Saves the link's digest; audits survey.shared_link
    with the unit. Returns the secret, shown once and kept nowhere."""
    if not can_run(actor, survey):
        raise PermissionDenied
    today = today or timezone.localdate()
    if survey.is_exit or not survey.accepts_answers(today):
        raise ValidationError(_("Enkäten är stängd, så ingen delad länk kan skapas."))
    if unit.pk not in {u.pk for u in answer_units(survey)}:
        raise ValidationError(_("Välj en enhet som enkäten gäller."))
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        replaced = SharedLink.objects.filter(survey=survey, unit=unit).delete()[0]
        SharedLink.objects.create(digest=digest(secret), survey=survey, unit=unit)
        record(actor, "survey.shared_link", survey, changes={"unit": [None, str(unit.pk)],
                                                              "replaced": [None, bool(replaced)]})
    return secret


def shared_nonce() -> str:
    """A random value the shared link's form carries, so that a double
    submit of one filled form stores one answer. Kept nowhere until used."""
    return secrets.token_urlsafe(18)


def submit_shared_answer(secret: str, nonce: str, data: dict, today=None) -> Link:
    """One answer through a unit's shared link: the answer concerns the
    link's unit and is marked `shared`. The form's nonce is stored as a spent
    token (its digest, like any link), so the same form sent twice stores
    one answer; once per device is the page's cookie (views.answer). Nothing
    is audited or logged."""
    today = today or timezone.localdate()
    link = open_link(secret, today)
    if link.state != LinkState.OK or link.shared is None:
        return link
    if not nonce or len(nonce) > 100:
        return Link(LinkState.UNKNOWN, link.survey, link.shared)
    try:
        with transaction.atomic():
            Token.objects.create(digest=digest("shared:" + nonce), survey=link.survey, used=True)
            Answer.objects.create(survey=link.survey, unit=link.shared.unit, operation_area=data["operation_area"],
                                  week=iso_week(today), exposure=data["exposure"], own=data["own"], shared=True)
    except IntegrityError:
        return Link(LinkState.USED, link.survey, link.shared)
    return link


def response_count(survey) -> int:
    return Answer.objects.filter(survey=survey).count()
