"""Forms of the annual cycle: mark an occurrence done, change a duty, log a
training session, and the year view's filter. Every error message is Swedish
and says what to do; clean_* methods return domain values."""
import re
from datetime import date, timedelta

from django import forms
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cycle import permissions, schedule
from cycle.models import MAX_PARTICIPANTS, Duty, DutyOccurrence, TrainingSession
from cycle.services import YEARS_AHEAD
from organisation.models import OrgUnit, Role, User

EARLIEST = date(2000, 1, 1)
DATE_ERRORS = {
    "required": _("Ange ett datum."),
    "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-05-15."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class YearFilterForm(forms.Form):
    """?ar=2026: the year shown. An unusable year falls back to this year."""

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # Up to the last year whose occurrences exist (cycle.services.planned_years).
        self.fields["ar"] = forms.IntegerField(min_value=2000, max_value=self.max_year(today), required=False)

    @staticmethod
    def max_year(today: date) -> int:
        return today.year + YEARS_AHEAD

    def year(self) -> int:
        if self.is_valid() and self.cleaned_data.get("ar"):
            return self.cleaned_data["ar"]
        return self.today.year


class OccurrenceDoneForm(forms.Form):
    done_at = forms.DateField(
        label=_("Datum då uppgiften blev klar"), widget=DateInput(), error_messages=DATE_ERRORS)
    result_url = forms.URLField(
        label=_("Länk till det som togs fram"), required=False, max_length=500, assume_scheme="https",
        help_text=_("Till exempel protokollet, den reviderade handlingsplanen eller tjänsteutlåtandet."),
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "invalid": _("Skriv en fullständig webbadress som börjar med https://"),
            "max_length": _("Webbadressen får vara högst %(limit_value)d tecken."),
        },
    )
    result_note = forms.CharField(
        label=_("Anteckning om vad som togs fram"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Om det inte finns någon länk: skriv kort vad som gjordes och var det finns."),
        error_messages={"max_length": _("Anteckningen får vara högst %(limit_value)d tecken (nu %(show_value)d).")},
    )

    def __init__(self, *args, occurrence: DutyOccurrence, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.occurrence = occurrence
        self.today = today
        self.fields["done_at"].widget.attrs["max"] = today.isoformat()

    def clean_done_at(self):
        value = self.cleaned_data["done_at"]
        if value > self.today:
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden. Markera uppgiften som klar "
                                          "när den är gjord."))
        earliest = self.occurrence.due_date - timedelta(days=366)
        if value < earliest:
            raise forms.ValidationError(
                _("Datumet ligger mer än ett år före förfallodagen (%(due)s). Kontrollera året.")
                % {"due": date_format(self.occurrence.due_date, "j F Y")})
        return value

    def clean_result_note(self):
        return self.cleaned_data["result_note"].strip()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("result_url") and not data.get("result_note"):
            self.add_error("result_url", _("Ange en länk eller skriv en kort anteckning om vad som togs fram."))
        return data


MONTH_CHOICES = [("", _("Välj månad"))] + [(str(m), MONTHS[m]) for m in range(1, 13)]
# "31/3, 31/10" – day/month, separated by commas, semicolons or spaces.
DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})$")


def parse_day_months(text: str) -> list[str]:
    """ "31/3, 31/10" → ["03-31", "10-31"]; ValueError with a Swedish message."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if not parts:
        raise ValueError(_("Ange minst ett datum, till exempel 31/3, 31/10."))
    if len(parts) > 24:
        raise ValueError(_("Högst 24 datum per år."))
    result = set()
    for part in parts:
        match = DAY_MONTH.match(part)
        if not match:
            raise ValueError(_("”%(part)s” är inte ett datum. Skriv dag/månad, till exempel 31/3, 31/10.")
                             % {"part": part[:20]})
        day, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("”%(part)s”: månaden måste vara 1–12.") % {"part": part})
        if not 1 <= day <= schedule.days_in_month(2024, month):
            raise ValueError(_("”%(part)s”: den dagen finns inte i månaden.") % {"part": part})
        result.add(f"{month:02d}-{day:02d}")
    return sorted(result)


def format_day_months(month_days: list[str]) -> str:
    out = []
    for md in sorted(month_days or []):
        try:
            month, day = schedule.parse_month_day(md)
        except ValueError:
            continue
        out.append(f"{day}/{month}")
    return ", ".join(out)


def owner_choices(node: OrgUnit, current=None):
    """People who can own a duty at `node`: managers, security coordinators
    and HR at the node and above, and (below the city) in its subtree."""
    roles = [Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR]
    ancestor_ids = [int(p) for p in node.path.strip("/").split("/")]
    where = Q(assignments__node_id__in=ancestor_ids)
    if node.kind != OrgUnit.Kind.CITY:
        where |= Q(assignments__node__path__startswith=node.path)
    qs = User.objects.filter(where, is_active=True, assignments__active=True, assignments__role__in=roles)
    if current is not None:
        qs = User.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=current.pk))
    return qs.distinct().order_by("first_name", "last_name", "username")


class DutyForm(forms.ModelForm):
    custom_text = forms.CharField(
        label=_("Datum varje år"), required=False, max_length=300,
        help_text=_("Dag/månad, åtskilda med kommatecken, till exempel 31/3, 31/10."),
    )
    day = forms.IntegerField(
        label=_("Dag i månaden"), required=False, min_value=1, max_value=31,
        help_text=_("Finns inte dagen i en månad (till exempel 31 april eller 29 februari ett vanligt år) "
                    "blir det månadens sista dag."),
        error_messages={
            "invalid": _("Skriv dagen som en siffra mellan 1 och 31."),
            "min_value": _("Dagen måste vara mellan 1 och 31."),
            "max_value": _("Dagen måste vara mellan 1 och 31."),
        },
    )
    month = forms.TypedChoiceField(label=_("Månad"), choices=MONTH_CHOICES, coerce=int, required=False,
                                   empty_value=None)

    class Meta:
        model = Duty
        fields = ["title", "kind", "description", "owner", "schedule", "month", "day", "starts_on", "active"]
        widgets = {
            "kind": forms.RadioSelect,
            "schedule": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DateInput(),
        }
        labels = {"active": _("Aktiv (ger nya tillfällen i årshjulet)")}
        help_texts = {
            "starts_on": _("Inga tillfällen skapas före detta datum."),
            "owner": _("Får påminnelser per e-post 14 dagar före och när uppgiften är försenad."),
        }
        error_messages = {
            "title": {"required": _("Skriv vad uppgiften gäller."),
                      "max_length": _("Högst %(limit_value)d tecken (nu %(show_value)d).")},
            "kind": {"required": _("Välj typ av uppgift.")},
            "schedule": {"required": _("Välj hur ofta uppgiften återkommer.")},
            "starts_on": DATE_ERRORS,
            "owner": {"invalid_choice": _("Välj en person i listan.")},
            "description": {"max_length": _("Högst %(limit_value)d tecken (nu %(show_value)d).")},
        }

    # What only HR, security coordinators and administrators of the node change.
    MANAGED_FIELDS = ("owner", "schedule", "month", "day", "custom_text", "starts_on", "active")

    def __init__(self, *args, node: OrgUnit, today: date, owner_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        self.today = today
        self.fields["owner"].queryset = owner_choices(node, self.instance.owner if self.instance.pk else None)
        self.fields["owner"].empty_label = _("Ingen ansvarig ännu")
        self.fields["kind"].choices = Duty.Kind.choices
        self.fields["schedule"].choices = Duty.Schedule.choices
        if self.instance.pk and self.instance.schedule == Duty.Schedule.CUSTOM:
            self.initial.setdefault("custom_text", format_day_months(self.instance.custom_days))
        self.order_fields(["title", "kind", "description", "owner", "schedule", "month", "day", "custom_text",
                           "starts_on", "active"])
        self.owner_only = owner_only
        if owner_only:
            for name in self.MANAGED_FIELDS:
                self.fields[name].disabled = True

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if value < EARLIEST or value > self.today + timedelta(days=2 * 366):
            raise forms.ValidationError(_("Välj ett datum mellan år 2000 och två år framåt."))
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("schedule")
        month, day = data.get("month"), data.get("day")
        if kind == Duty.Schedule.YEARLY:
            if not month:
                self.add_error("month", _("Välj månad för den årliga uppgiften."))
            if day is None and "day" not in self.errors:
                self.add_error("day", _("Ange vilken dag i månaden uppgiften förfaller."))
            if month and day and day > schedule.days_in_month(2024, month):
                self.add_error("day", _("%(month)s har bara %(n)s dagar.") % {
                    "month": str(MONTHS[month]).capitalize(),
                    "n": schedule.days_in_month(2024, month)})
            data["custom_days"] = []
        elif kind == Duty.Schedule.TERTIAL:
            if day is None and "day" not in self.errors:
                self.add_error("day", _("Ange vilken dag i månaden efter tertialen uppgiften förfaller."))
            data["month"] = None
            data["custom_days"] = []
        elif kind == Duty.Schedule.CUSTOM:
            try:
                data["custom_days"] = parse_day_months(data.get("custom_text") or "")
            except ValueError as error:
                self.add_error("custom_text", str(error))
            data["month"] = None
            data["day"] = None
        return data

    def duty_values(self) -> dict:
        """What the user may change, as cycle.services.update_duty takes it:
        the fields that are not locked for an owner-only form."""
        names = ["title", "kind", "description"]
        if not self.owner_only:
            names += ["owner", "schedule", "month", "day", "custom_days", "starts_on", "active"]
        return {name: self.cleaned_data.get(name) for name in names}

    def save(self, commit=False):
        duty = super().save(commit=False)
        duty.month = self.cleaned_data.get("month")
        duty.day = self.cleaned_data.get("day")
        duty.custom_days = self.cleaned_data.get("custom_days", [])
        if not duty.pk:
            duty.node = self.node
        return duty


class TrainingForm(forms.ModelForm):
    participants = forms.IntegerField(
        label=_("Antal deltagare"), min_value=1, max_value=MAX_PARTICIPANTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Ange hur många som deltog."),
            "invalid": _("Skriv antalet deltagare med siffror, till exempel 12."),
            "min_value": _("Antalet deltagare måste vara minst 1."),
            "max_value": _("Högst %(limit_value)s deltagare per tillfälle. Kontrollera antalet – var "
                           "tillfället större, registrera en rad per enhet."),
        },
    )

    class Meta:
        model = TrainingSession
        fields = ["unit", "date", "kind", "participants", "note"]
        widgets = {
            "kind": forms.RadioSelect,
            "date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "unit": _("Gällde tillfället flera enheter? Registrera en rad per enhet med antalet deltagare "
                      "från den enheten, så att lägesbilden kan jämföra enheter."),
            "note": _("Till exempel vad som togs upp. Skriv inga uppgifter om enskilda händelser eller personer."),
        }
        error_messages = {
            "unit": {"required": _("Välj enhet."), "invalid_choice": _("Välj en enhet i listan.")},
            "date": DATE_ERRORS,
            "kind": {"required": _("Välj typ av utbildning."),
                     "invalid_choice": _("Välj en av typerna i listan.")},
            "note": {"max_length": _("Anteckningen får vara högst %(limit_value)d tecken (nu %(show_value)d).")},
        }

    def __init__(self, *args, node: OrgUnit, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        units = (OrgUnit.objects.subtree_of(node)
                 .filter(kind=OrgUnit.Kind.UNIT, active=True, pk__in=permissions.editable_nodes(user))
                 .order_by("name"))
        if self.instance.pk:
            units = OrgUnit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=self.instance.unit_id))
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["unit"].empty_label = _("Välj enhet")
        self.fields["kind"].choices = TrainingSession.Kind.choices
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > self.today:
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden. Registrera tillfället när det har "
                                          "hållits."))
        if value < EARLIEST:
            raise forms.ValidationError(_("Datumet är orimligt tidigt. Kontrollera året."))
        return value

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def training_values(self) -> dict:
        """The fields as cycle.services.update_training takes them."""
        return {name: self.cleaned_data[name] for name in ("unit", "date", "kind", "participants", "note")}

