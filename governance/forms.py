"""Parsing the action plan's forms. Each form carries the draft's revision as
the user loaded it (the optimistic lock, governance.plan)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import MAX_DECISION_TEXT, MAX_MEASURE_TEXT, Measure
from incidents.models import ChecklistItem
from knowledge.models import Article
from organisation.models import OperationArea, Role


class LockedForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class HeaderForm(LockedForm):
    title = forms.CharField(label=_("Rubrik"), max_length=200,
                            error_messages={"required": _("Skriv planens rubrik.")})
    introduction = forms.CharField(label=_("Inledning"), max_length=4000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))


class MeasureForm(LockedForm):
    section = forms.ChoiceField(label=_("Avsnitt"), choices=Measure.Section.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Välj när åtgärden görs."),
                                                "invalid_choice": _("Välj före, under eller efter en händelse.")})
    text = forms.CharField(label=_("Åtgärd"), max_length=MAX_MEASURE_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Vad som görs, av vem och när, i en eller två meningar."),
                           error_messages={"required": _("Skriv vad åtgärden går ut på.")})
    owner_role = forms.ChoiceField(label=_("Ansvarig roll"),
                                   choices=[("", _("Välj roll"))] + [c for c in Role.choices if c[0] != Role.ADMIN],
                                   error_messages={"required": _("Välj vilken roll som ansvarar för åtgärden."),
                                                   "invalid_choice": _("Välj en roll i listan.")})
    article = forms.ModelChoiceField(label=_("Artikel i kunskapsbanken som visar hur"), required=False,
                                     queryset=Article.objects.none(), empty_label=_("Ingen artikel"),
                                     error_messages={"invalid_choice": _("Välj en artikel i listan.")})
    operation_areas = forms.ModelMultipleChoiceField(
        label=_("Gäller verksamhetsområden"), required=False, queryset=OperationArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj inget för att åtgärden ska gälla alla verksamhetsområden."),
        error_messages={"invalid_choice": _("Välj verksamhetsområden i listan.")})
    checklist_code = forms.ChoiceField(
        label=_("Uppföljningspunkt på nya ärenden"), required=False,
        choices=[("", _("Ingen – åtgärden blir inte en punkt på ärendet"))] + list(ChecklistItem.Code.choices),
        help_text=_("Bara för åtgärder efter en händelse. Punkten visas på ärenden som rapporteras efter att "
                    "planen godkänts; äldre ärenden behåller sina punkter."),
        error_messages={"invalid_choice": _("Välj en uppföljningspunkt i listan.")})
    position = forms.IntegerField(label=_("Plats i avsnittet"), min_value=1, max_value=999,
                                  help_text=_("1 är först."),
                                  error_messages={"required": _("Ange en plats i avsnittet, 1 är först."),
                                                  "invalid": _("Platsen ska vara ett heltal, 1 är först."),
                                                  "min_value": _("Platsen ska vara 1 eller större."),
                                                  "max_value": _("Platsen kan vara högst 999.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = Article.objects.order_by("title")
        self.fields["operation_areas"].queryset = OperationArea.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        if data.get("checklist_code") and data.get("section") and data["section"] != Measure.Section.AFTER:
            self.add_error("checklist_code", _("Uppföljningspunkter på ärendet hör till avsnittet Efter en händelse."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("section", "position", "text", "owner_role", "article",
                                              "checklist_code")} | {"operation_areas": list(data["operation_areas"])}


class DeleteForm(LockedForm):
    pass


class ApproveForm(LockedForm):
    decision = forms.CharField(
        label=_("Beslut"), max_length=MAX_DECISION_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel: ”HR-chefen godkänner handlingsplanen efter årlig översyn.” "
                    "Beslutet sparas med datum och ditt namn."),
        error_messages={"required": _("Skriv beslutet: vad som godkänns och varför.")})


# --- the risk register ------------------------------------------------------------

def _scale(label, labels):
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, widget=forms.RadioSelect,
        choices=[(str(k), v) for k, v in labels.items()],
        error_messages={"invalid_choice": _("Välj ett värde på skalan 1–4.")})


class RegisterForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Nämnd"), queryset=None,
                                  error_messages={"required": _("Välj nämnd."),
                                                  "invalid_choice": _("Välj en nämnd i listan.")})
    year = forms.IntegerField(label=_("År"), error_messages={"required": _("Ange året."),
                                                             "invalid": _("Året ska vara ett årtal, till exempel 2027.")})

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class NewRiskForm(forms.Form):
    title = forms.CharField(label=_("Risk"), max_length=200, error_messages={"required": _("Skriv vad risken är.")})
    description = forms.CharField(label=_("Beskrivning"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class AssessForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Risk"), max_length=200, error_messages={"required": _("Skriv vad risken är.")})
    description = forms.CharField(label=_("Beskrivning"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    likelihood = None  # set in __init__ (labels from governance.risks)
    consequence = None
    reason = forms.CharField(label=_("Motivering"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Varför just denna sannolikhet och konsekvens? Hänvisa gärna till underlaget."))
    controls = forms.CharField(label=_("Befintliga kontroller"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Rutiner, larm, utbildning och annat som redan minskar risken."))
    decision = forms.ChoiceField(label=_("Beslut"), required=False, widget=forms.RadioSelect,
                                 error_messages={"invalid_choice": _("Välj ett beslut i listan.")})
    decision_note = forms.CharField(label=_("Kommentar till beslutet"), max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    control_what = forms.CharField(label=_("Vad kontrolleras"), max_length=1000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    control_how = forms.CharField(label=_("Hur"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    control_who = forms.CharField(label=_("Av vem"), max_length=200, required=False)
    control_when = forms.CharField(label=_("När"), max_length=200, required=False,
                                   help_text=_("Till exempel: varje tertial, eller i oktober."))

    field_order = ["revision", "title", "description", "likelihood", "consequence", "reason", "controls",
                   "decision", "decision_note", "control_what", "control_how", "control_who", "control_when"]

    def __init__(self, *args, **kwargs):
        from governance.models import Risk
        from governance.risks import CONSEQUENCE_LABELS, LIKELIHOOD_LABELS
        super().__init__(*args, **kwargs)
        self.fields["likelihood"] = _scale(_("Sannolikhet"), LIKELIHOOD_LABELS)
        self.fields["consequence"] = _scale(_("Konsekvens"), CONSEQUENCE_LABELS)
        self.fields["decision"].choices = Risk.Decision.choices
        self.order_fields(self.field_order)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class RiskActionForm(forms.Form):
    title = forms.CharField(label=_("Åtgärd"), max_length=300,
                            error_messages={"required": _("Skriv vad som ska göras.")})
    owner = forms.ModelChoiceField(label=_("Ansvarig"), queryset=None, empty_label=_("Välj ansvarig"),
                                   error_messages={"required": _("Välj vem som ansvarar för åtgärden."),
                                                   "invalid_choice": _("Välj en ansvarig i listan.")})
    due_date = forms.DateField(label=_("Klar senast"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Ange när åtgärden ska vara klar."),
                                               "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-31.")})

    def __init__(self, *args, owners, **kwargs):
        # Shown on the risk page beside the assessment form: its own ids.
        kwargs.setdefault("prefix", "atgard")
        super().__init__(*args, **kwargs)
        from organisation.models import User
        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in owners]).order_by(
            "first_name", "last_name")


# --- the tertial report ---------------------------------------------------------------

class NewTertialForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Förvaltning"), queryset=None,
                                  error_messages={"required": _("Välj förvaltning."),
                                                  "invalid_choice": _("Välj en förvaltning i listan.")})
    year = forms.IntegerField(label=_("År"), error_messages={"required": _("Ange året."),
                                                             "invalid": _("Året ska vara ett årtal, till exempel 2026.")})
    tertial = forms.TypedChoiceField(label=_("Tertial"), coerce=int, choices=[
        ("1", _("Tertial 1 (januari–april)")), ("2", _("Tertial 2 (maj–augusti)")),
        ("3", _("Tertial 3 (september–december)"))],
        error_messages={"required": _("Välj tertial."), "invalid_choice": _("Välj tertial 1, 2 eller 3.")})

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class TertialTextForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Rubrik"), max_length=200, error_messages={"required": _("Skriv rapportens rubrik.")})
    reference = forms.CharField(label=_("Diarienummer"), max_length=60, required=False,
                                help_text=_("Till exempel: SKHLM 2026/92"))
    recipient = forms.CharField(label=_("Till"), max_length=200,
                                error_messages={"required": _("Skriv vilken nämnd rapporten går till.")})
    analysis = forms.CharField(label=_("Analys"), max_length=8000, required=False,
                               widget=forms.Textarea(attrs={"rows": 8}),
                               help_text=_("Vad siffrorna visar, vad förvaltningen gör och vad som behöver göras."))
    proposed_decision = forms.CharField(label=_("Förslag till beslut"), max_length=2000, required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class TertialApproveForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Vad ledde översynen till?"), widget=forms.RadioSelect, choices=[
        ("unchanged", _("Planen gäller oförändrad")), ("new_version", _("En ny version är godkänd"))],
        error_messages={"required": _("Välj vad översynen ledde till."),
                        "invalid_choice": _("Välj vad översynen ledde till.")})
    version = forms.ChoiceField(label=_("Den nya versionen"), required=False,
                                error_messages={"invalid_choice": _("Välj en version i listan.")})
    note = forms.CharField(label=_("Anteckning"), max_length=1500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Till exempel vilka som deltog i översynen och vad ni tittade på."))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", _("Välj version"))] + [
            (str(v.pk), _("Version %(n)s") % {"n": v.number}) for v in versions]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "new_version" and not data.get("version"):
            self.add_error("version", _("Välj en version som godkänts under perioden, eller börja en ny version."))
        return data
