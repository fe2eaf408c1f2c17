"""Planting data for gallring tests: closed cases old enough to be due and
young enough to stay, of every kind, with attachments on disk, messages,
receipts, drafts, and cases on hold. Real models, real files."""
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from incidents.models import (
    Action,
    Attachment,
    ChecklistItem,
    Incident,
    Message,
    ReceiptCode,
    ReportDraft,
    Submission,
)
from organisation.models import User
from retention.models import Hold

YEAR = 365


def case(unit, *, reporter=None, identity=Incident.IdentityMode.NAMED, closed_days_ago=None,
         occurred_days_ago=None, label="", files=1, owner=None):
    """A case with every kind of personal data; closed `closed_days_ago` days
    ago (None: still open)."""
    from incidents.models import Channel, InfluenceForm, Source

    now = timezone.now()
    occurred = now - timedelta(days=occurred_days_ago or ((closed_days_ago or 0) + 30))
    inc = Incident.objects.create(
        unit=unit, occurred_at=occurred, reported_at=occurred + timedelta(hours=2),
        description=f"Beskrivning {label}", location=f"Plats {label}", police_reference=f"K{label}-1",
        police_status=Incident.PoliceStatus.EMPLOYER, police_reason="",
        reporter=None if identity == Incident.IdentityMode.ANONYMOUS else reporter, identity_mode=identity,
        source=Source.objects.get(code="brukare"), channel=Channel.objects.get(code="telefon"),
        operation_area=unit.operation_area, actor_pseudonym=f"pseudo-{label}",
        acknowledged_at=occurred + timedelta(hours=20),
        status=Incident.Status.CLOSED if closed_days_ago is not None else Incident.Status.INVESTIGATING,
        closed_at=now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None,
        closing_summary=f"Sammanfattning {label}",
    )
    inc.forms.set(InfluenceForm.objects.filter(code__in=["hot"]))
    owner = owner or User.objects.filter(is_active=True).order_by("pk").first()
    Action.objects.create(incident=inc, title=f"Åtgärd {label}", owner=owner, due_date=occurred.date())
    ChecklistItem.objects.create(incident=inc, code="police", state="done", note=f"Not {label}",
                                 reference=f"Ref {label}")
    Message.objects.create(incident=inc, by_reporter=True, body=f"Meddelande {label}")
    for i in range(files):
        Attachment.objects.create(incident=inc, file=ContentFile(b"%PDF-1.4 test", name="x.pdf"),
                                  original_name=f"bild-{label}-{i}.pdf", content_type="application/pdf", size=13)
    if identity == Incident.IdentityMode.ANONYMOUS:
        ReceiptCode.objects.create(incident=inc, digest=f"receipt-{label}-{inc.pk}")
    Submission.objects.create(incident=inc, token_digest=f"token-{label}-{inc.pk}")
    return inc


def hold(inc, by, reason=Hold.Reason.POLICE):
    return Hold.objects.create(incident=inc, reason=reason, placed_by=by)


def draft(user, days_ago):
    d = ReportDraft.objects.create(user=user, data={"description": f"Utkast {user.username}"})
    ReportDraft.objects.filter(pk=d.pk).update(updated_at=timezone.now() - timedelta(days=days_ago))
    return d


def many(n, unit, reporter, due_share=0.6):
    """n closed cases, the first due_share of them due for every case kind."""
    due = int(n * due_share)
    return [case(unit, reporter=reporter, closed_days_ago=6 * YEAR if i < due else YEAR, label=f"m{i}")
            for i in range(n)]
