"""The auditor's view of the audit log."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from audit.models import AuditEntry
from incidents import access
from organisation.models import Role


def auditable_entries(user):
    """Entries an auditor may read: those about incidents in the subtree they
    were granted, and, for an auditor at the root, every entry."""
    paths = access.scope_paths(user, [Role.AUDITOR])
    if not paths:
        return AuditEntry.objects.none()
    q = Q()
    for p in paths:
        q |= Q(incident__unit__path__startswith=p)
    if any(p.count("/") == 2 for p in paths):  # covers the whole city
        q |= Q(incident__isnull=True)
    return AuditEntry.objects.filter(q)


def masked_actor(entry, viewer) -> str:
    """The reporter of a confidential case is hidden from auditors who may not
    identify that reporter; anonymous reporters are never stored."""
    incident = entry.incident
    if (incident is not None and entry.actor_id is not None
            and entry.actor_id == incident.reporter_id
            and incident.identity_mode != incident.IdentityMode.NAMED
            and not access.can_identify(viewer, incident)):
        return "konfidentiell rapportör"
    return entry.actor_label


@login_required
def entry_list(request):
    entries = auditable_entries(request.user)
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    action = request.GET.get("handelse", "").strip()
    case = request.GET.get("arende", "").strip().upper().removeprefix("V-")
    if action:
        entries = entries.filter(action=action)
    if case:
        entries = entries.filter(incident_id=int(case)) if case.isdigit() and len(case) < 12 else entries.none()
    entries = entries.select_related("incident").order_by("-id")
    page = Paginator(entries, 50).get_page(request.GET.get("sida"))
    rows = [(e, masked_actor(e, request.user)) for e in page.object_list]
    actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "audit/list.html", {
        "page": page, "rows": rows, "actions": sorted(set(actions)),
        "action": action, "case": request.GET.get("arende", ""),
    })
