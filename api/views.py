"""The endpoints of /api/v1/. Each one does what a page does for the same
roles, through the same functions:

- incidents come from incidents.access (inbox.base_queryset for the list, as
  the case list; get_visible_incident / load_for_handling for one case), so a
  case outside the caller's scope answers the same 404 as one that does not
  exist, and one the caller may read but not handle answers 403;
- every change goes through casework.workflow (permission, version check,
  audit, e-mail) and every read of a case is audit.log.record_view, inside
  audit.log.via so that the entry names the token;
- the organisation is read from the tree and written by organisation.csvio's
  import (the validation of import_org), only by an administrator;
- the situation picture is situation.stats.build, suppressed and protected
  for aggregate-only callers exactly as the page.
"""
import csv
import io
import re
from datetime import datetime

from django.core import signing
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.authentication import API_REQUESTS
from api.problems import Conflict, invalid
from audit.log import record, record_view, via
from casework import inbox, workflow
from incidents import access
from incidents.models import ChecklistItem, Incident, InfluenceForm
from organisation import csvio
from organisation.models import Headcount, OrgUnit, Role
from situation import exports, stats
from situation.forms import LensForm, load_terms

MAX_ID = s.MAX_ID


class ApiView(APIView):
    """Authenticated by token, counted against the token's rate limit, and
    every audit entry written meanwhile names the token."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        used = API_REQUESTS.usage(request, increment=True)
        if used is not None and used["should_limit"]:
            raise exceptions.Throttled(wait=max(used["time_left"], 1))
        self._via = via(_token_label(request.auth))
        self._via.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(self, "_via", None) is not None:
            self._via.__exit__(None, None, None)
            self._via = None
        return super().finalize_response(request, response, *args, **kwargs)


def _token_label(token) -> str:
    return f"token ”{token.name}”"


def _query(request, serializer_class, many=()):
    serializer = serializer_class(data=s.query_values(request.query_params, many))
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _body(request, serializer_class):
    if not isinstance(request.data, dict):
        raise invalid([{"field": "", "detail": _("Skicka ett JSON-objekt.")}])
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _pk(value) -> int:
    """A path id; one too large for the database is simply not found."""
    if not 0 < int(value) <= MAX_ID:
        raise exceptions.NotFound
    return int(value)


def _require_admin(user):
    if not user.has_role(Role.ADMIN):
        raise exceptions.PermissionDenied


ID_PARAM = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The case's id.")


# --- the organisation --------------------------------------------------------------

def _unit(node) -> dict:
    return {"id": node.pk, "code": node.code, "name": node.name, "kind": node.kind,
            "parent_code": node.parent.code if node.parent_id else None,
            "operation_area": node.operation_area.code if node.operation_area_id else None,
            "active": node.active}


ROW_RE = re.compile(r"^Rad (\d+)(?:, kolumn (\w+))?: (.*)$", re.S)


def _import_errors(exc: csvio.CsvImportError) -> exceptions.APIException:
    """import_org's messages ("Rad 3, kolumn code: …") with the field they
    name in the request: row 2 of the CSV is rows[0]."""
    errors = []
    for message in exc.errors:
        match = ROW_RE.match(message)
        if match and int(match.group(1)) >= 2:
            field = f"rows[{int(match.group(1)) - 2}]" + (f".{match.group(2)}" if match.group(2) else "")
        else:
            field = "rows"
        errors.append({"field": field, "detail": message})
    return invalid(errors)


def _csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue().encode()


class UnitsView(ApiView):
    @extend_schema(operation_id="units_list", responses=s.UnitOut(many=True),
                   summary="The organisation tree", description="Every node, parents before children.")
    def get(self, request):
        nodes = OrgUnit.objects.select_related("parent", "operation_area").order_by("path")
        return Response([_unit(n) for n in nodes])

    @extend_schema(operation_id="units_import", request=s.UnitImport, responses=s.ImportResult,
                   summary="Create or update nodes by code (administrator)",
                   description="The same validation as `manage.py import_org`: all or nothing; each error "
                               "names its row (rows[0] is the first) and column.")
    def post(self, request):
        _require_admin(request.user)
        data = _body(request, s.UnitImport)
        rows = [{**row, "active": "1" if row["active"] else "0"} for row in data["rows"]]
        try:
            result = csvio.import_tree(_csv(csvio.TREE_COLUMNS, rows), actor=request.user, actor_label="")
        except csvio.CsvImportError as exc:
            raise _import_errors(exc) from None
        return Response(vars(result))


class HeadcountView(ApiView):
    @extend_schema(operation_id="headcount_list", parameters=[s.HeadcountQuery],
                   responses=s.HeadcountOut(many=True), summary="Employees per unit and year")
    def get(self, request):
        query = _query(request, s.HeadcountQuery)
        rows = Headcount.objects.select_related("unit").order_by("unit__path", "year")
        if "year" in query:
            rows = rows.filter(year=query["year"])
        return Response([{"unit_code": h.unit.code, "year": h.year, "employees": h.employees,
                          "women": h.women, "men": h.men} for h in rows])

    @extend_schema(operation_id="headcount_import", request=s.HeadcountImport, responses=s.ImportResult,
                   summary="Create or update headcount (administrator)",
                   description="The same validation as `manage.py import_org --headcount`.")
    def post(self, request):
        _require_admin(request.user)
        data = _body(request, s.HeadcountImport)
        try:
            result = csvio.import_headcount(_csv(csvio.HEADCOUNT_COLUMNS, data["rows"]),
                                            actor=request.user, actor_label="")
        except csvio.CsvImportError as exc:
            raise _import_errors(exc) from None
        return Response(vars(result))


# --- incidents -------------------------------------------------------------------

def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "email": user.email}


def _incident(incident, identifiable: bool) -> dict:
    return {
        "id": incident.pk, "reference": incident.reference,
        "unit": {"id": incident.unit.pk, "code": incident.unit.code, "name": incident.unit.name},
        "occurred_at": incident.occurred_at, "reported_at": incident.reported_at,
        "forms": sorted(f.code for f in incident.forms.all()),
        "source": incident.source.code if incident.source_id else None,
        "channel": incident.channel.code if incident.channel_id else None,
        "operation_area": incident.operation_area.code if incident.operation_area_id else None,
        "status": incident.status, "identity_mode": incident.identity_mode,
        "bypasses_management": incident.bypasses_management,
        "police_status": incident.police_status, "police_reference": incident.police_reference,
        "assigned_to": _person(incident.assigned_to),
        "reporter": _person(incident.reporter) if identifiable else None,
        "version": incident.version,
    }


def _detail(user, incident) -> dict:
    return {
        **_incident(incident, access.can_identify(user, incident)),
        "description": incident.description, "location": incident.location,
        "someone_hurt": incident.someone_hurt, "property_damaged": incident.property_damaged,
        "wants_support": incident.wants_support, "acknowledged_at": incident.acknowledged_at,
        "closed_at": incident.closed_at, "closing_summary": incident.closing_summary,
        "can_handle": access.can_handle(user, incident),
    }


CURSOR_SALT = "api.incidents.cursor"


def _cursor(incident) -> str:
    return signing.dumps([incident.reported_at.isoformat(), incident.pk], salt=CURSOR_SALT)


def _after(cursor: str) -> Q:
    try:
        at, pk = signing.loads(cursor, salt=CURSOR_SALT)
        at = datetime.fromisoformat(at)
        pk = int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid([{"field": "cursor", "detail": _(
            "Markören är ogiltig. Använd next_cursor från förra svaret.")}]) from None
    # The bound on reported_at alone lets the index on it start at the cursor.
    return Q(reported_at__lte=at) & (Q(reported_at__lt=at) | Q(pk__lt=pk))


RELATED = ("unit", "source", "channel", "operation_area", "assigned_to", "reporter")


class IncidentListView(ApiView):
    @extend_schema(operation_id="incidents_list", parameters=[s.IncidentQuery], responses=s.IncidentPage,
                   summary="Cases the caller reaches",
                   description="The cases of the case list for the same roles (handlers: those they may "
                               "handle; safety representatives: those they are informed of), newest first, "
                               "a page at a time (cursor). No case text: read a case for that (audited).")
    def get(self, request):
        user = request.user
        query = _query(request, s.IncidentQuery)
        # As the case list: handlers what they may handle, safety representatives what they are
        # informed of; any other account (aggregate-only, an administrator) reaches no case here.
        qs = inbox.base_queryset(user)
        if query.get("unit"):
            node = OrgUnit.objects.filter(pk=query["unit"]).first()
            if node is None:
                raise invalid([{"field": "unit", "detail": _("Det finns ingen enhet med det id:t.")}])
            qs = qs.filter(unit__path__startswith=node.path)
        if query.get("form"):
            form = InfluenceForm.objects.filter(code=query["form"]).first()
            if form is None:
                raise invalid([{"field": "form", "detail": _("Det finns ingen form av påverkan med den koden.")}])
            qs = qs.filter(Exists(Incident.forms.through.objects.filter(
                incident_id=OuterRef("pk"), influenceform_id=form.pk)))
        if query.get("status"):
            qs = qs.filter(status=query["status"])
        if query.get("reported_from"):
            qs = qs.filter(reported_at__gte=_day_start(query["reported_from"]))
        if query.get("reported_to"):
            qs = qs.filter(reported_at__lt=_day_start(query["reported_to"], 1))
        if query.get("cursor"):
            qs = qs.filter(_after(query["cursor"]))
        size = query["page_size"]
        qs = (qs.select_related(*RELATED)
              .prefetch_related(Prefetch("forms", queryset=InfluenceForm.objects.only("pk", "code")))
              .order_by("-reported_at", "-pk"))
        page = list(qs[:size + 1])
        more = len(page) > size
        page = page[:size]
        # Whom the caller may name, for this page only (one query by id, not a scan per request).
        named = set(access.identifiable_incidents(user).filter(pk__in=[i.pk for i in page])
                    .values_list("pk", flat=True))
        return Response({"results": [_incident(i, i.pk in named) for i in page],
                         "next_cursor": _cursor(page[-1]) if more else None})


def _day_start(day, plus_days=0):
    from datetime import time, timedelta
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))


class IncidentDetailView(ApiView):
    @extend_schema(operation_id="incidents_read", parameters=[ID_PARAM], responses=s.IncidentDetailOut,
                   summary="One case (audited as a read)")
    def get(self, request, pk):
        incident = access.get_visible_incident(request.user, _pk(pk))
        record_view(request.user, incident)
        return Response(_detail(request.user, incident))


def _current(user, pk) -> dict:
    """The case as it is now, for a 409."""
    incident = access.get_visible_incident(user, pk)
    return _detail(user, incident)


def _refused(error: workflow.WorkflowError, field: str = ""):
    return invalid([{"field": field, "detail": str(error)}])


class StatusView(ApiView):
    @extend_schema(operation_id="incidents_status", parameters=[ID_PARAM], request=s.StatusChange,
                   responses={200: s.IncidentDetailOut, 409: None},
                   summary="Move the case on (acknowledge, investigate, resolve, close, reopen)",
                   description="As the case page's buttons: `version` is the case's version as read; if "
                               "someone changed the case since, nothing changes and the answer is 409 with "
                               "the case as it is now (`current`). Closing needs `summary`; `investigating` "
                               "on a closed case reopens it and needs `reason`.")
    def post(self, request, pk):
        pk = _pk(pk)
        user = request.user
        incident = workflow.load_for_handling(user, pk)  # 404 / 403 before reading the body
        data = _body(request, s.StatusChange)
        to, version = data["to"], data["version"]
        try:
            if to == Incident.Status.ACKNOWLEDGED:
                workflow.acknowledge(user, pk, version)
            elif to == Incident.Status.INVESTIGATING and incident.status == Incident.Status.CLOSED:
                workflow.reopen(user, pk, version, data["reason"])
            elif to == Incident.Status.INVESTIGATING:
                workflow.start_investigation(user, pk, version)
            elif to == Incident.Status.RESOLVED:
                workflow.resolve(user, pk, version)
            else:
                workflow.close(user, pk, version, data["summary"])
        except workflow.Conflict as error:
            raise Conflict(str(error), _current(user, pk)) from None
        except workflow.WorkflowError as error:
            raise _refused(error, "to") from None
        return Response(_current(user, pk))


class AssigneeView(ApiView):
    @extend_schema(operation_id="incidents_assign", parameters=[ID_PARAM], request=s.AssigneeChange,
                   responses={200: s.IncidentDetailOut, 409: None}, summary="Give the case to a handler",
                   description="`handler` must be someone who may handle the case. A stale `version` is 409.")
    def put(self, request, pk):
        pk = _pk(pk)
        user = request.user
        incident = workflow.load_for_handling(user, pk)
        data = _body(request, s.AssigneeChange)
        handler = None
        if data["handler"] is not None:
            handler = next((h for h in workflow.possible_handlers(incident) if h.pk == data["handler"]), None)
            if handler is None:
                raise invalid([{"field": "handler", "detail": _("Personen kan inte handlägga det här ärendet.")}])
        try:
            workflow.assign(user, pk, data["version"], handler)
        except workflow.Conflict as error:
            raise Conflict(str(error), _current(user, pk)) from None
        except workflow.WorkflowError as error:
            raise _refused(error, "handler") from None
        return Response(_current(user, pk))


def _item(item) -> dict:
    return {"code": item.code, "label": item.get_code_display(), "state": item.state, "done_on": item.done_on,
            "reference": item.reference, "note": item.note, "stamp": workflow.item_stamp(item)}


CODE_PARAM = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                              enum=list(ChecklistItem.Code.values), description="The item's code.")


class ChecklistView(ApiView):
    @extend_schema(operation_id="checklist_list", parameters=[ID_PARAM], responses=s.ChecklistItemOut(many=True),
                   summary="The case's follow-up checklist (handlers)")
    def get(self, request, pk):
        incident = workflow.load_for_handling(request.user, _pk(pk))
        record_view(request.user, incident)
        return Response([_item(i) for i in workflow.checklist(incident)])


class ChecklistItemView(ApiView):
    @extend_schema(operation_id="checklist_update", parameters=[ID_PARAM, CODE_PARAM], request=s.ChecklistChange,
                   responses={200: s.ChecklistItemOut, 409: None}, summary="Change one checklist item",
                   description="The same rules as the case page (a K-number for the police item, a date "
                               "for the support talk, …). `stamp` as read: stale is 409 with the item now.")
    def put(self, request, pk, code):
        pk = _pk(pk)
        user = request.user
        incident = workflow.load_for_handling(user, pk)
        if code not in ChecklistItem.Code.values:
            raise exceptions.NotFound
        data = _body(request, s.ChecklistChange)
        try:
            item = workflow.update_checklist_item(
                user, pk, code, state=data["state"], done_on=data["done_on"], reference=data["reference"],
                note=data["note"], seen=data.get("stamp"))
        except workflow.ChecklistInvalid as error:
            raise invalid([{"field": field, "detail": message} for field, message in error.errors.items()]) from None
        except workflow.Conflict as error:
            now = next(i for i in workflow.checklist(incident) if i.code == code)
            raise Conflict(str(error), _item(now)) from None
        except workflow.WorkflowError as error:
            raise _refused(error) from None
        return Response(_item(item))


def _action(action) -> dict:
    return {"id": action.pk, "title": action.title, "owner": _person(action.owner), "due_date": action.due_date,
            "status": action.status, "done_at": action.done_at}


class ActionsView(ApiView):
    @extend_schema(operation_id="actions_list", parameters=[ID_PARAM], responses=s.ActionOut(many=True),
                   summary="The case's actions (handlers)")
    def get(self, request, pk):
        incident = workflow.load_for_handling(request.user, _pk(pk))
        record_view(request.user, incident)
        return Response([_action(a) for a in incident.actions.select_related("owner")])

    @extend_schema(operation_id="actions_create", parameters=[ID_PARAM], request=s.ActionCreate,
                   responses={201: s.ActionOut}, summary="Decide an action on the case")
    def post(self, request, pk):
        pk = _pk(pk)
        user = request.user
        incident = workflow.load_for_handling(user, pk)
        data = _body(request, s.ActionCreate)
        owners = workflow.possible_handlers(incident) + [user]
        owner = next((o for o in owners if o.pk == data["owner"]), None)
        if owner is None:
            raise invalid([{"field": "owner", "detail": _("Den ansvariga måste kunna handlägga ärendet.")}])
        if not data["title"].strip():
            raise invalid([{"field": "title", "detail": _("Skriv vad som ska göras.")}])
        try:
            action = workflow.add_action(user, pk, title=data["title"], owner=owner, due_date=data["due_date"])
        except workflow.WorkflowError as error:
            raise _refused(error) from None
        return Response(_action(action), status=201)


ACTION_PARAM = OpenApiParameter("action_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The action's id.")


class ActionView(ApiView):
    @extend_schema(operation_id="actions_update", parameters=[ID_PARAM, ACTION_PARAM], request=s.ActionChange,
                   responses=s.ActionOut, summary="Mark an action done, cancelled or open again")
    def patch(self, request, pk, action_pk):
        pk, action_pk = _pk(pk), _pk(action_pk)
        user = request.user
        action = workflow.load_action(user, action_pk)
        if action.incident_id != pk:
            raise exceptions.NotFound
        data = _body(request, s.ActionChange)
        try:
            action = workflow.set_action_status(user, action_pk, data["status"])
        except workflow.WorkflowError as error:
            raise _refused(error, "status") from None
        return Response(_action(action))


# --- the situation picture -------------------------------------------------------

LENS_NAMES = {"period": "period", "year": "ar", "start": "fran", "end": "till", "form": "form",
              "source": "kalla", "area": "omrade", "channel": "kanal"}
API_NAMES = {v: k for k, v in LENS_NAMES.items()}
MANY = ("form", "source", "area", "channel")
NODE_PARAM = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The node's id.")


def _lens(request, pk):
    """The node (among those the caller covers; 404 otherwise) and the lens,
    validated as the picture's form validates it."""
    node = access.covered_nodes(request.user).filter(pk=_pk(pk)).first()
    if node is None:
        raise exceptions.NotFound
    query = _query(request, s.PictureQuery, many=MANY)
    data = QueryDict(mutable=True)
    for name, value in query.items():
        key = LENS_NAMES[name]
        if name in MANY:
            data.setlist(key, value)
        else:
            data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    data.setdefault("period", "12-man")
    terms = load_terms()
    form = LensForm(data, node=node, terms=terms)
    if not form.is_valid():
        raise invalid([{"field": API_NAMES.get(name, ""), "detail": str(message)}
                       for name, messages in form.errors.items() for message in messages])
    return node, form.lens(), terms


def _cell(cell) -> dict:
    return {"value": cell.shown, "text": str(cell), "hidden": cell.hidden}


def _hours(delta):
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def _key(picture) -> dict:
    return {
        "total": _cell(picture.total), "previous_total": _cell(picture.previous_total),
        "change_percent": picture.change_percent, "employees": picture.employees, "rate": picture.rate,
        "police_total": _cell(picture.police_total), "police_reported": _cell(picture.police_reported),
        "police_share": picture.police_share,
        "ack_median_hours": _hours(picture.ack_median), "ack_p90_hours": _hours(picture.ack_p90),
        "close_median_hours": _hours(picture.close_median), "close_p90_hours": _hours(picture.close_p90),
        "timing_hidden": picture.timing_hidden,
        "actions_open": _cell(picture.actions_open), "actions_overdue": _cell(picture.actions_overdue),
        "protected": _cell(picture.protected), "protected_share": picture.protected_share,
    }


def _display(d) -> dict:
    value = float(d.value) if d.value is not None else None
    return {"text": d.text, "value": value, "hidden": d.hidden, "kind": d.kind}


def _row(row) -> dict | None:
    return None if row is None else {"label": str(row.label), "cells": [_display(c) for c in row.cells]}


def _table(t) -> dict:
    return {"key": t.key, "caption": str(t.caption), "columns": [str(c) for c in t.columns],
            "rows": [_row(r) for r in t.rows], "foot": _row(t.foot), "note": str(t.note),
            "fallback": str(t.fallback), "withheld": t.withheld}


def _frame(node, lens) -> dict:
    return {"node": {"id": node.pk, "code": node.code, "name": node.name},
            "period": {"start": lens.start, "end": lens.end}}


PICTURE_PARAMS = [NODE_PARAM, s.PictureQuery]


class PictureView(ApiView):
    @extend_schema(operation_id="situation_picture", parameters=PICTURE_PARAMS, responses=s.PictureOut,
                   summary="The situation picture's key figures and tables for a node and period",
                   description="The same figures as the page: exact for those who may open the cases, "
                               "protected and suppressed (\"<5\", \"..\") for aggregate-only callers. "
                               "`period`: 12-man (default, the last twelve months), i-ar, t1–t3 and ar (with "
                               "`year`), intervall (with `start` and `end`). The table `manad` is the series "
                               "over time.")
    def get(self, request, pk):
        node, lens, terms = _lens(request, pk)
        picture = stats.build(request.user, lens, terms, drill=False)
        return Response({**_frame(node, lens), "suppressed": picture.suppressed, "key_figures": _key(picture),
                         "tables": [_table(t) for t in picture.tables]})


class PoliceView(ApiView):
    @extend_schema(operation_id="situation_police", parameters=PICTURE_PARAMS, responses=s.PoliceOut,
                   summary="The joint situation picture for the local police area",
                   description="As the police export of the page: aggregated, always suppressed, no personal "
                               "data. Audited as an export.")
    def get(self, request, pk):
        node, lens, terms = _lens(request, pk)
        picture = stats.build(request.user, lens, terms, police=True)
        record(request.user, "situation.export", node,
               changes={"export": [None, "polisen.api"], "lens": [None, lens.query()]})
        return Response({**_frame(node, lens), "key_figures": _key(picture),
                         "tables": [_table(t) for t in picture.tables]})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PoliceWorkbookView(ApiView):
    @extend_schema(operation_id="situation_police_xlsx", parameters=PICTURE_PARAMS,
                   responses={(200, XLSX): OpenApiTypes.BINARY},
                   summary="The joint situation picture for the police as the page's workbook",
                   description="The same workbook as the page's police export (XLSX). Audited as an export.")
    def get(self, request, pk):
        node, lens, terms = _lens(request, pk)
        picture = stats.build(request.user, lens, terms, police=True)
        record(request.user, "situation.export", node,
               changes={"export": [None, "polisen.xlsx"], "lens": [None, lens.query()]})
        title = _("Gemensam lägesbild med lokalpolisområdet: %(node)s") % {"node": node.name}
        return exports.tables_xlsx(picture, exports.filename("polisen", node, "xlsx"), title)


class NotFoundView(APIView):
    """Any other address under /api/: a problem document, not a page."""
    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs, self.request = args, kwargs, self.initialize_request(request, *args, **kwargs)
        self.headers = self.default_response_headers
        response = self.handle_exception(exceptions.NotFound())
        self.response = self.finalize_response(self.request, response, *args, **kwargs)
        return self.response
