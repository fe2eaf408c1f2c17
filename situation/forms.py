"""Forms of the situation picture: the lens (period and filters), the
committee report's text, and a case's actor identifier. Every bad input
becomes a Swedish message next to its field, never an error page."""
import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Channel, InfluenceForm, Source
from organisation.models import OperationArea
from situation import actors
from situation.lens import DEFAULT_PERIOD, TERTIALS, Lens, period_bounds

EARLIEST = date(2000, 1, 1)
PERIOD_CHOICES = [
    ("12-man", _("Senaste 12 månaderna")),
    ("i-ar", _("I år")),
    ("t1", _("Tertial 1 (januari–april)")),
    ("t2", _("Tertial 2 (maj–augusti)")),
    ("t3", _("Tertial 3 (september–december)")),
    ("ar", _("Ett helt år")),
    ("intervall", _("Egna datum")),
]


def load_terms() -> dict:
    """All taxonomy terms, inactive ones too: old reports still use them."""
    return {
        "forms": list(InfluenceForm.objects.all()),
        "sources": list(Source.objects.all()),
        "areas": list(OperationArea.objects.all()),
        "channels": list(Channel.objects.all()),
    }


def _unknown_code():
    return {"invalid_choice": _("Koden %(value)s finns inte. Välj bland alternativen i listan.")}


class LensForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False,
                               widget=forms.RadioSelect,
                               error_messages={"invalid_choice": _("Välj en av perioderna i listan.")})
    ar = forms.IntegerField(label=_("År"), required=False, min_value=EARLIEST.year,
                            error_messages={"invalid": _("Ange året med fyra siffror, till exempel 2025."),
                                            "min_value": _("Statistiken börjar år 2000."),
                                            "max_value": _("Året har inte börjat ännu.")})
    fran = forms.DateField(label=_("Från och med"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-01-31.")})
    till = forms.DateField(label=_("Till och med"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-12-31.")})
    form = forms.MultipleChoiceField(label=_("Form av påverkan"), required=False,
                                     widget=forms.CheckboxSelectMultiple, error_messages=_unknown_code())
    kalla = forms.MultipleChoiceField(label=_("Vem som utövade påverkan"), required=False,
                                      widget=forms.CheckboxSelectMultiple, error_messages=_unknown_code())
    omrade = forms.MultipleChoiceField(label=_("Verksamhetsområde"), required=False,
                                       widget=forms.CheckboxSelectMultiple, error_messages=_unknown_code())
    kanal = forms.MultipleChoiceField(label=_("Kanal"), required=False,
                                      widget=forms.CheckboxSelectMultiple, error_messages=_unknown_code())

    def __init__(self, *args, node, terms, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        self.terms = terms
        self.today = today or timezone.localdate()
        # Fields are copied per form, so the validator list is this form's own.
        self.fields["ar"].validators.append(MaxValueValidator(self.today.year))
        self.fields["ar"].widget.attrs.update({"min": EARLIEST.year, "max": self.today.year,
                                               "inputmode": "numeric"})
        for name, key in (("form", "forms"), ("kalla", "sources"), ("omrade", "areas"), ("kanal", "channels")):
            self.fields[name].choices = [(t.code, t.name) for t in terms[key]]

    def clean(self):
        data = super().clean()
        period = data.get("period") or DEFAULT_PERIOD
        data["period"] = period
        if period == "intervall" and not self.errors.get("fran") and not self.errors.get("till"):
            start, end = data.get("fran"), data.get("till")
            if not start:
                self.add_error("fran", _("Ange från vilket datum lägesbilden ska gälla."))
            if not end:
                self.add_error("till", _("Ange till vilket datum lägesbilden ska gälla."))
            if start and end:
                if start > end:
                    self.add_error("till", _("Till-datumet ligger före från-datumet. Byt plats på datumen."))
                elif start < EARLIEST:
                    self.add_error("fran", _("Statistiken börjar den 1 januari 2000."))
                elif start > self.today:
                    self.add_error("fran", _("Från-datumet ligger i framtiden. Det finns inga rapporter än."))
        if period in TERTIALS and data.get("ar") and not self.errors.get("ar"):
            first_month = TERTIALS[period][0]
            if date(data["ar"], first_month, 1) > self.today:
                self.add_error("period", _("Tertialen har inte börjat än. Välj en tidigare tertial eller ett tidigare år."))
        return data

    def lens(self) -> Lens:
        data = self.cleaned_data
        period = data["period"]
        start, end = period_bounds(period, data.get("ar"), data.get("fran"), data.get("till"), self.today)
        return Lens(
            node=self.node, start=start, end=end, period=period,
            year=data.get("ar") if period in ("ar", *TERTIALS) else None,
            forms=data.get("form") or [], sources=data.get("kalla") or [],
            areas=data.get("omrade") or [], channels=data.get("kanal") or [],
        )


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class DrillForm(LensForm):
    """The lens plus one month or one actor, for the list behind a figure."""

    manad = forms.CharField(label=_("Månad"), required=False, max_length=7)
    aktor = forms.CharField(label=_("Aktör"), required=False, max_length=64)

    def clean_manad(self):
        value = self.cleaned_data.get("manad") or ""
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < EARLIEST.year:
            raise ValidationError(_("Skriv månaden som ÅÅÅÅ-MM, till exempel 2025-03."))
        return date(int(match.group(1)), int(match.group(2)), 1)

    def clean_aktor(self):
        value = (self.cleaned_data.get("aktor") or "").strip().lower()
        if value and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValidationError(_("Aktörens kod är felaktig. Följ länken från lägesbilden igen."))
        return value

    def lens(self) -> Lens:
        lens = super().lens()
        lens.month = self.cleaned_data.get("manad")
        lens.actor = self.cleaned_data.get("aktor") or ""
        return lens


class ReportForm(forms.Form):
    """The committee report: which audience and the author's own analysis."""

    AUDIENCES = [
        ("namnd", _("Lägesbild för nämnd eller ledning")),
        ("polis", _("Gemensam lägesbild med lokalpolisområdet (summerad, små antal döljs, inga personuppgifter)")),
    ]
    mottagare = forms.ChoiceField(label=_("Vem rapporten är till"), choices=AUDIENCES, initial="namnd",
                                  widget=forms.RadioSelect,
                                  error_messages={"required": _("Välj vem rapporten är till."),
                                                  "invalid_choice": _("Välj vem rapporten är till.")})
    rubrik = forms.CharField(label=_("Rubrik"), max_length=200, required=False,
                             error_messages={"max_length": _("Rubriken får vara högst 200 tecken.")})
    analys = forms.CharField(label=_("Din analys"), required=False, max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 10}),
                             help_text=_("Skriv vad siffrorna betyder, vad som behöver göras och av vem. "
                                         "Texten kommer med i rapporten som du skrivit den. Skriv inga personuppgifter."),
                             error_messages={"max_length": _("Analysen får vara högst 20 000 tecken.")})


class ActorForm(forms.Form):
    """The identifier of who exerted the influence. Only its keyed
    pseudonym is kept; clean_identifierare returns that pseudonym."""

    identifierare = forms.CharField(
        label=_("Personnummer eller organisationsnummer"), max_length=20, required=False,
        help_text=_("Till exempel 19811218-9876 eller 556036-0793. Värn sparar inte numret, bara en "
                    "krypterad kod som visar om samma aktör finns i andra ärenden."),
        error_messages={"max_length": _("Numret är för långt. Ett personnummer har 10 eller 12 siffror.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    atgard = forms.ChoiceField(choices=[("spara", "spara"), ("ta-bort", "ta-bort")], required=False)

    def clean(self):
        data = super().clean()
        if data.get("atgard") == "ta-bort":
            data["pseudonym"] = ""
            return data
        if "identifierare" in self.errors:
            return data
        raw = data.get("identifierare") or ""
        try:
            data["pseudonym"] = actors.pseudonym(actors.parse_identifier(raw).normalised)
        except ValidationError as exc:
            self.add_error("identifierare", exc)
        return data
