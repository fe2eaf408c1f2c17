"""The register extract (registerutdrag, GDPR art. 15): what Värn holds
about a person as a reporter. Their named and confidential reports (with
the thread's messages and the names of their attachments), and their draft.
An anonymous report is never in it: nothing links it to anyone
(incidents.access.own_reports)."""
import json
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from audit.log import record
from incidents import access
from incidents.models import Attachment, Message, ReportDraft
from organisation.models import Role, User


def build(person) -> dict:
    reports = []
    own = access.own_reports(person).select_related("unit", "source", "channel", "operation_area")
    # The thread and the attachments of every own report, each read once.
    messages, attachments = defaultdict(list), defaultdict(list)
    for m in access.rows_of(Message, own).order_by("created_at", "pk"):
        messages[m.incident_id].append(m)
    for a in access.rows_of(Attachment, own).order_by("pk"):
        attachments[a.incident_id].append(a)
    for inc in own.order_by("reported_at", "pk").prefetch_related("forms"):
        reports.append({
            "ärende": inc.reference,
            "rapporterad": inc.reported_at,
            "när det hände": inc.occurred_at,
            "enhet": inc.unit.name,
            "synlighet": inc.get_identity_mode_display(),
            "status": inc.get_status_display(),
            "former av påverkan": sorted(f.name for f in inc.forms.all()),
            "vem som utövade påverkan": inc.source.name if inc.source else "",
            "kanal": inc.channel.name if inc.channel else "",
            "verksamhetsområde": inc.operation_area.name if inc.operation_area else "",
            "vad som hände": inc.description,
            "plats": inc.location,
            "polisanmälan": inc.get_police_status_display(),
            "K-nummer": inc.police_reference,
            "skäl att inte polisanmäla": inc.police_reason,
            "vill ha stödsamtal": inc.wants_support,
            "meddelanden": [
                {"skickat": m.created_at, "från": "du" if m.by_reporter else "handläggare", "text": m.body}
                for m in messages[inc.pk]],
            "bilagor": [{"filnamn": a.original_name, "storlek (byte)": a.size, "bifogad": a.created_at}
                        for a in attachments[inc.pk]],
        })
    draft = ReportDraft.objects.filter(user=person).first()
    return {
        "registerutdrag": "Värn",
        "skapat": timezone.now(),
        "person": {"namn": person.get_full_name(), "användarnamn": person.username, "e-post": person.email},
        "rapporter": reports,
        "utkast": {"sparat": draft.updated_at, "innehåll": draft.data} if draft else None,
        "om utdraget": ("Rapporter med namn och konfidentiella rapporter som du har skrivit, med meddelanden och "
                        "bilagornas namn, och ditt sparade utkast. Anonyma rapporter finns inte med: ingenting "
                        "i Värn kopplar dem till någon."),
    }


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def for_self(user) -> dict:
    """The user's own extract. Audited (who, that an extract was made)."""
    data = build(user)
    record(user, "retention.extract", user, changes={"subject": [None, str(user.pk)], "by": [None, "self"]})
    return data


def may_produce(user) -> bool:
    """HR produces extracts on request. The security coordinator does not:
    a person's request for their data is a personnel matter, and the
    coordinator's reach is the cases, not the people. Nor does the
    administrator, who reads no case content."""
    return bool(user and user.is_authenticated and user.is_active and user.has_role(Role.HR))


def people_in_scope(hr_user):
    """The people HR may produce an extract for: those with a role, in force
    or ended (a former employee may ask too), at a node of the subtree where
    the user is HR."""
    paths = access.scope_paths(hr_user, [Role.HR]) if may_produce(hr_user) else []
    if not paths:
        return User.objects.none()
    q = Q()
    for path in paths:
        q |= Q(assignments__node__path__startswith=path)
    return User.objects.filter(pk__in=User.objects.filter(q).values("pk"))


def find_person(hr_user, text: str):
    """The person HR asks for, by username or e-mail, if in HR's subtree;
    None when unknown or outside it (the same answer: nobody learns who
    exists elsewhere)."""
    text = (text or "").strip()
    if not text:
        return None
    return (people_in_scope(hr_user).filter(Q(username__iexact=text) | Q(email__iexact=text))
            .order_by("pk").first())


def for_person(hr_user, person) -> dict:
    """HR produces the extract of `person` on request (404 unless HR and the
    person is in HR's subtree). Audited."""
    if not may_produce(hr_user) or not people_in_scope(hr_user).filter(pk=person.pk).exists():
        raise Http404
    data = build(person)
    record(hr_user, "retention.extract", person, changes={"subject": [None, str(person.pk)], "by": [None, "hr"]})
    return data
