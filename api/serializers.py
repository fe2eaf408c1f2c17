"""What the API reads and writes. Input serializers are strict: a field the
endpoint does not know is an error naming it, as is a wrong type; every
message is Swedish (English by Accept-Language). Output serializers only
describe what the views put together (and so the OpenAPI document)."""
from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.models import Action, ChecklistItem, Incident
from organisation.models import OrgUnit

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def _messages(**extra):
    return {
        "required": _("Fältet måste finnas med."),
        "null": _("Fältet får inte vara null."),
        "blank": _("Fältet får inte vara tomt."),
        **extra,
    }


def Int(**kwargs):
    low, high = kwargs.pop("min_value", None), kwargs.pop("max_value", None)
    return serializers.IntegerField(min_value=low, max_value=high, error_messages=_messages(
        invalid=_("Ange ett heltal."), max_string_length=_("Talet är för stort."),
        min_value=_("Talet måste vara minst {min_value}."), max_value=_("Talet får vara högst {max_value}.")),
        **kwargs)


def Text(**kwargs):
    return serializers.CharField(error_messages=_messages(
        invalid=_("Ange en text."), max_length=_("Texten får vara högst {max_length} tecken."),
        min_length=_("Texten måste vara minst {min_length} tecken.")), **kwargs)


def Choice(choices, **kwargs):
    return serializers.ChoiceField(choices=choices, error_messages=_messages(
        invalid_choice=_("”{input}” är inget av de tillåtna värdena.")), **kwargs)


class Day(serializers.DateField):
    """A date as YYYY-MM-DD between 2000-01-01 and 2100-12-31."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", input_formats=["%Y-%m-%d"], error_messages=_messages(
            invalid=_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-01-31."),
            datetime=_("Ange ett datum utan klockslag (ÅÅÅÅ-MM-DD).")), **kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            raise serializers.ValidationError(_("Datumet måste ligga mellan 2000-01-01 och 2100-12-31."))
        return day


class Strict(serializers.Serializer):
    """Refuses fields it does not know, and a body that is not an object."""

    default_error_messages = {"invalid": _("Skicka ett JSON-objekt.")}

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Okänt fält. Tillåtna fält är: %(fields)s.") % {
                        "fields": ", ".join(self.fields) or "–"}] for name in unknown})
        return super().to_internal_value(data)


def query_values(params, many=()) -> dict:
    """Query parameters as a dict for a Strict serializer: one value each,
    a list for the parameters that may repeat."""
    data = {}
    for key in params:
        values = params.getlist(key)
        data[key] = values if key in many else (values[-1] if len(values) == 1 else values)
    return data


# --- the organisation ----------------------------------------------------------------

class UnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices)
    parent_code = serializers.CharField(allow_null=True)
    operation_area = serializers.CharField(allow_null=True)
    active = serializers.BooleanField()


class UnitRow(Strict):
    """One row of the tree, as a column of import_org's CSV."""
    code = Text(max_length=200, allow_blank=True)
    name = Text(max_length=500, allow_blank=True)
    kind = Text(max_length=40, allow_blank=True)
    parent_code = Text(max_length=200, allow_blank=True, required=False, default="")
    operation_area = Text(max_length=200, allow_blank=True, required=False, default="")
    active = serializers.BooleanField(required=False, default=True, error_messages=_messages(
        invalid=_("Ange true eller false.")))


class UnitImport(Strict):
    rows = serializers.ListField(child=UnitRow(), min_length=1, max_length=20000, error_messages=_messages(
        not_a_list=_("Ange en lista."), empty=_("Listan får inte vara tom."),
        min_length=_("Listan måste ha minst {min_length} rad."),
        max_length=_("Högst {max_length} rader i ett anrop.")))


class HeadcountOut(serializers.Serializer):
    unit_code = serializers.CharField()
    year = serializers.IntegerField()
    employees = serializers.IntegerField()
    women = serializers.IntegerField(allow_null=True)
    men = serializers.IntegerField(allow_null=True)


class HeadcountRow(Strict):
    unit_code = Text(max_length=200, allow_blank=True)
    year = Int(min_value=1900, max_value=2200)
    employees = Int(min_value=0, max_value=1_000_000)
    women = Int(min_value=0, max_value=1_000_000, required=False, allow_null=True, default=None)
    men = Int(min_value=0, max_value=1_000_000, required=False, allow_null=True, default=None)


class HeadcountImport(Strict):
    rows = serializers.ListField(child=HeadcountRow(), min_length=1, max_length=20000, error_messages=_messages(
        not_a_list=_("Ange en lista."), empty=_("Listan får inte vara tom."),
        min_length=_("Listan måste ha minst {min_length} rad."),
        max_length=_("Högst {max_length} rader i ett anrop.")))


class HeadcountQuery(Strict):
    year = Int(min_value=1900, max_value=2200, required=False)


class ImportResult(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())


# --- incidents --------------------------------------------------------------------

class UnitRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()


class IncidentOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    unit = UnitRef()
    occurred_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    forms = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    operation_area = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Incident.Status.choices)
    identity_mode = serializers.ChoiceField(choices=Incident.IdentityMode.choices)
    bypasses_management = serializers.BooleanField()
    police_status = serializers.ChoiceField(choices=Incident.PoliceStatus.choices)
    police_reference = serializers.CharField()
    assigned_to = PersonRef(allow_null=True)
    reporter = PersonRef(allow_null=True, help_text=(
        "Who reported: only where the caller may identify the reporter (as on the case page); "
        "null otherwise, and always for anonymous reports."))
    version = serializers.IntegerField()


class IncidentDetailOut(IncidentOut):
    description = serializers.CharField()
    location = serializers.CharField()
    someone_hurt = serializers.BooleanField()
    property_damaged = serializers.BooleanField()
    wants_support = serializers.BooleanField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closing_summary = serializers.CharField()
    can_handle = serializers.BooleanField()


class IncidentPage(serializers.Serializer):
    results = IncidentOut(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page; "
                                        "null on the last page.")


class IncidentQuery(Strict):
    cursor = Text(max_length=500, required=False)
    page_size = Int(min_value=1, max_value=100, required=False, default=50)
    unit = Int(min_value=1, max_value=MAX_ID, required=False)
    form = Text(max_length=40, required=False)
    status = Choice(Incident.Status.choices, required=False)
    reported_from = Day(required=False)
    reported_to = Day(required=False)

    def validate(self, data):
        if data.get("reported_from") and data.get("reported_to") and data["reported_from"] > data["reported_to"]:
            raise serializers.ValidationError({"reported_to": [_("Till-datumet ligger före från-datumet.")]})
        return data


class StatusChange(Strict):
    to = Choice([(s, label) for s, label in Incident.Status.choices if s != Incident.Status.NEW])
    version = Int(min_value=1, max_value=MAX_VERSION)
    summary = Text(max_length=5000, required=False, allow_blank=True, default="",
                   help_text="Required to close: the summary the reporter sees.")
    reason = Text(max_length=5000, required=False, allow_blank=True, default="",
                  help_text="Required to reopen a closed case.")


class AssigneeChange(Strict):
    version = Int(min_value=1, max_value=MAX_VERSION)
    handler = Int(min_value=1, max_value=MAX_ID, allow_null=True, help_text="A user id, or null for nobody.")


class ChecklistItemOut(serializers.Serializer):
    code = serializers.ChoiceField(choices=ChecklistItem.Code.choices)
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=ChecklistItem.State.choices)
    done_on = serializers.DateField(allow_null=True)
    reference = serializers.CharField()
    note = serializers.CharField()
    stamp = serializers.CharField(help_text="When the item was last saved; send it back as `stamp` to change "
                                  "the item (a stale stamp is a 409).")


class ChecklistChange(Strict):
    state = Choice(ChecklistItem.State.choices)
    done_on = Day(required=False, allow_null=True, default=None)
    reference = Text(max_length=60, required=False, allow_blank=True, default="")
    note = Text(max_length=5000, required=False, allow_blank=True, default="")
    stamp = Text(max_length=64, required=False, allow_blank=True,
                 help_text="The item's stamp as read; when given and stale, nothing changes (409).")


class ActionOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = PersonRef()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=Action.Status.choices)
    done_at = serializers.DateTimeField(allow_null=True)


class ActionCreate(Strict):
    title = Text(max_length=300)
    owner = Int(min_value=1, max_value=MAX_ID, help_text="A user id: someone who may handle the case.")
    due_date = Day()


class ActionChange(Strict):
    status = Choice(Action.Status.choices)


# --- the situation picture --------------------------------------------------------

class CellOut(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="null when the count is not shown.")
    text = serializers.CharField(help_text="As the page shows it: the number, \"<5\" or \"..\".")
    hidden = serializers.BooleanField()


class DisplayOut(serializers.Serializer):
    text = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    hidden = serializers.BooleanField()
    kind = serializers.CharField()


class RowOut(serializers.Serializer):
    label = serializers.CharField()
    cells = DisplayOut(many=True)


class TableOut(serializers.Serializer):
    key = serializers.CharField(help_text="manad is the series over time.")
    caption = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = RowOut(many=True)
    foot = RowOut(allow_null=True)
    note = serializers.CharField()
    fallback = serializers.CharField()
    withheld = serializers.BooleanField()


class KeyFiguresOut(serializers.Serializer):
    total = CellOut()
    previous_total = CellOut()
    change_percent = serializers.FloatField(allow_null=True)
    employees = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)
    police_total = CellOut()
    police_reported = CellOut()
    police_share = serializers.FloatField(allow_null=True)
    ack_median_hours = serializers.FloatField(allow_null=True)
    ack_p90_hours = serializers.FloatField(allow_null=True)
    close_median_hours = serializers.FloatField(allow_null=True)
    close_p90_hours = serializers.FloatField(allow_null=True)
    timing_hidden = serializers.BooleanField()
    actions_open = CellOut()
    actions_overdue = CellOut()
    protected = CellOut()
    protected_share = serializers.FloatField(allow_null=True)


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class PictureOut(serializers.Serializer):
    node = UnitRef()
    period = PeriodOut()
    suppressed = serializers.BooleanField(help_text="True for aggregate-only callers: small counts are "
                                          "hidden and every count is protected as on the page.")
    key_figures = KeyFiguresOut()
    tables = TableOut(many=True)


class PoliceOut(serializers.Serializer):
    node = UnitRef()
    period = PeriodOut()
    key_figures = KeyFiguresOut()
    tables = TableOut(many=True)


class PictureQuery(Strict):
    period = Choice(["12-man", "i-ar", "t1", "t2", "t3", "ar", "intervall"], required=False)
    year = Int(min_value=2000, max_value=2100, required=False)
    start = Day(required=False)
    end = Day(required=False)
    form = serializers.ListField(child=Text(max_length=40), required=False, max_length=50)
    source = serializers.ListField(child=Text(max_length=40), required=False, max_length=50)
    area = serializers.ListField(child=Text(max_length=40), required=False, max_length=50)
    channel = serializers.ListField(child=Text(max_length=40), required=False, max_length=50)
