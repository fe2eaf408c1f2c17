"""The auditor's filter: case, person, kind of event, date range.

Every field is optional and every bad value gets a Swedish error beside the
field; nothing typed is lost (the form is redisplayed bound)."""
import re
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import describe
from incidents import access

CASE = re.compile(r"^V?-?0*(\d{1,9})$")
FIRST_YEAR, LAST_YEAR = 2000, 2099
NO_NUL = _("Fältet innehåller ett tecken som inte går att söka på. Skriv om det.")
DATE_ERROR = _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")
FIELDS = ("arende", "person", "handelse", "fran", "till")


def _no_nul(field):
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    field.validators.append(ProhibitNullCharactersValidator(message=NO_NUL))
    return field


class AuditFilterForm(forms.Form):
    arende = _no_nul(forms.CharField(
        label=_("Ärende"), required=False, max_length=20,
        help_text=_("Ärendenumret, till exempel V-000123."),
        error_messages={"max_length": _("Ärendenumret är för långt. Skriv det som V-000123.")},
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "spellcheck": "false"})))
    person = _no_nul(forms.CharField(
        label=_("Person"), required=False, max_length=100,
        help_text=_("Namn eller användarnamn, helt eller delvis."),
        error_messages={"max_length": _("Skriv högst 100 tecken.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"})))
    handelse = forms.ChoiceField(
        label=_("Händelse"), required=False,
        error_messages={"invalid_choice": _("Välj en händelse i listan.")})
    fran = forms.DateField(
        label=_("Från och med"), required=False, error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    till = forms.DateField(
        label=_("Till och med"), required=False, error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        present = set(actions)
        self.present = present
        field = self.fields["handelse"]
        field.choices = [("", _("Alla händelser"))] + describe.kind_choices(present)
        # A kind the application writes is a valid choice even before the log has one.
        self.valid_kinds = present | describe.known_kinds() | {f"grupp:{key}" for key, _l in describe.GROUPS}
        field.valid_value = lambda value: value in self.valid_kinds

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value and not (FIRST_YEAR <= value.year <= LAST_YEAR):
            raise forms.ValidationError(_("Ange ett datum mellan år %(first)s och %(last)s."),
                                        params={"first": FIRST_YEAR, "last": LAST_YEAR})
        return value

    def clean_fran(self):
        return self._clean_date("fran")

    def clean_till(self):
        return self._clean_date("till")

    def clean_arende(self):
        raw = self.cleaned_data.get("arende", "")
        if not raw:
            return None
        match = CASE.match(re.sub(r"\s+", "", raw.upper()))
        if not match:
            raise forms.ValidationError(_("Skriv ärendenumret som V-000123 (eller bara siffrorna)."))
        return int(match.group(1))

    def clean_person(self):
        return " ".join(self.cleaned_data.get("person", "").split())

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", _("Till-datumet ligger före från-datumet. Byt plats på dem eller ändra ett av dem."))
        return data

    # --- using the cleaned filter

    def apply(self, entries, viewer):
        data = self.cleaned_data
        if data.get("arende"):
            entries = entries.filter(incident_id=data["arende"])
        if data.get("person"):
            for word in data["person"].split()[:6]:
                entries = entries.filter(
                    Q(actor__first_name__icontains=word) | Q(actor__last_name__icontains=word)
                    | Q(actor__username__icontains=word) | Q(actor_label__icontains=word))
            entries = entries.exclude(access.hidden_reporter_entries(viewer))
        kind = data.get("handelse")
        if kind and kind.startswith("grupp:"):
            group = kind.removeprefix("grupp:")
            entries = entries.filter(action__in=[a for a in self.present if describe.group_of(a) == group])
        elif kind:
            entries = entries.filter(action=kind)
        tz = timezone.get_current_timezone()
        if data.get("fran"):
            entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(data["fran"], time.min), tz))
        if data.get("till"):
            day_after = data["till"] + timedelta(days=1)
            entries = entries.filter(at__lt=timezone.make_aware(datetime.combine(day_after, time.min), tz))
        return entries

    def values(self) -> dict:
        """The filter as typed and accepted, for links and the export's audit entry."""
        data = self.cleaned_data
        values = {
            "arende": f"V-{data['arende']:06d}" if data.get("arende") else "",
            "person": data.get("person") or "",
            "handelse": data.get("handelse") or "",
            "fran": data["fran"].isoformat() if data.get("fran") else "",
            "till": data["till"].isoformat() if data.get("till") else "",
        }
        return {k: v for k, v in values.items() if v}

    def query(self) -> str:
        return urlencode(self.values())

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and bool(self.values())
