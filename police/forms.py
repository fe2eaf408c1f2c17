"""Forms of police cooperation. Every bad input becomes a Swedish message
next to its field, never an error page."""
from django import forms
from django.utils.translation import gettext_lazy as _

from police.models import (
    Agreement,
    CourtSupport,
    EmployeeRole,
    OutcomeStep,
    PoliceArea,
    Rhythm,
    Side,
)

MAX_UPLOAD = 2 * 1024 * 1024


class MappingImportForm(forms.Form):
    fil = forms.FileField(
        label=_("CSV-fil"),
        help_text=_("Tre kolumner som i exemplet ovan, avgränsade med semikolon eller komma, sparad som UTF-8. "
                    "En rad per enhet."),
        error_messages={"required": _("Välj en CSV-fil att läsa in."),
                        "empty": _("Filen är tom. Första raden ska vara rubrikraden."),
                        "invalid": _("Det gick inte att läsa filen. Välj en CSV-fil.")})

    def clean_fil(self):
        upload = self.cleaned_data["fil"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Filen är större än 2 MB. En fil med kopplingar är mycket mindre än så; "
                                          "kontrollera att det är rätt fil."))
        return upload.read()


class OutcomeForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Vad hände?"), choices=OutcomeStep.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Välj vad som hände med polisanmälan."),
                        "invalid_choice": _("Välj ett av stegen i listan.")})
    on = forms.DateField(
        label=_("Datum"), help_text=_("Dagen då polisen eller åklagaren beslutade, eller domen kom."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Ange datumet för steget."),
                        "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")})


class FollowUpForm(forms.Form):
    employee_role = forms.ChoiceField(
        label=_("Medarbetarens roll i polisärendet"), required=False,
        choices=[("", _("Inte angivet"))] + list(EmployeeRole.choices), widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Välj en av rollerna i listan.")})
    court_support = forms.ChoiceField(
        label=_("Stödde arbetsgivaren medarbetaren i rätten?"), required=False,
        choices=[("", _("Inte angivet"))] + list(CourtSupport.choices), widget=forms.RadioSelect,
        help_text=_("Till exempel att en chef eller kollega följde med, eller att arbetsgivaren ordnade juridiskt stöd."),
        error_messages={"invalid_choice": _("Välj ett av svaren i listan.")})


def _date(label, help_text="", required=True):
    return forms.DateField(
        label=label, help_text=help_text, required=required, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Ange ett datum."),
                        "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")})


def _text(label, help_text="", max_length=200):
    return forms.CharField(label=label, help_text=help_text, max_length=max_length, error_messages={
        "required": _("Fyll i fältet."), "max_length": _("Högst %(limit_value)d tecken.")})


class AgreementForm(forms.ModelForm):
    node = forms.ModelChoiceField(label=_("Förvaltning"), queryset=None, empty_label=None,
                                  error_messages={"invalid_choice": _("Välj en förvaltning i listan.")})
    area = forms.ModelChoiceField(label=_("Lokalpolisområde"), queryset=PoliceArea.objects.select_related("region"),
                                  error_messages={"required": _("Välj lokalpolisområdet som överenskommelsen gäller."),
                                                  "invalid_choice": _("Välj ett lokalpolisområde i listan.")})
    city_party = _text(_("Stadens part"), _("Till exempel ”Skärholmens stadsdelsnämnd”."))
    police_party = _text(_("Polisens part"), _("Till exempel ”Lokalpolisområde Skärholmen, Polisregion Stockholm”."))
    valid_from = _date(_("Gäller från"))
    valid_to = _date(_("Gäller till"))
    city_contact = _text(_("Kontaktroll hos staden"), _("En roll, inte ett namn: till exempel ”Säkerhetssamordnare”."))
    police_contact = _text(_("Kontaktroll hos polisen"), _("En roll, inte ett namn: till exempel ”Kommunpolis”."))
    rhythm = forms.ChoiceField(label=_("Mötesrytm"), choices=Rhythm.choices, widget=forms.RadioSelect,
                               help_text=_("Mötena blir en uppgift i årshjulet med påminnelser."),
                               error_messages={"required": _("Välj hur ofta ni möts."),
                                               "invalid_choice": _("Välj en av rytmerna i listan.")})
    meeting_day = forms.IntegerField(label=_("Mötesdag i månaden"), min_value=1, max_value=28,
                                     help_text=_("1–28. Dagen i månaden då mötet brukar hållas."),
                                     error_messages={"required": _("Ange en dag mellan 1 och 28."),
                                                     "invalid": _("Ange en dag mellan 1 och 28."),
                                                     "min_value": _("Ange en dag mellan 1 och 28."),
                                                     "max_value": _("Ange en dag mellan 1 och 28.")})
    document = forms.FileField(label=_("Överenskommelsen som dokument"), required=False,
                               help_text=_("PDF, eller en bild av det undertecknade dokumentet. Högst 10 MB."),
                               error_messages={"invalid": _("Det gick inte att läsa filen. Välj filen igen."),
                                               "empty": _("Filen är tom.")})

    class Meta:
        model = Agreement
        fields = ["node", "area", "city_party", "police_party", "valid_from", "valid_to", "city_contact",
                  "police_contact", "rhythm", "meeting_day"]

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        if self.instance.pk:
            self.fields["node"].disabled = True

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Slutdatumet är före startdatumet. Ange när överenskommelsen slutar gälla."))
        return data


class MeetingForm(forms.Form):
    held_on = _date(_("Mötesdatum"))
    period_start = _date(_("Lägesbilden från och med"), _("Perioden som mötesunderlaget visar."))
    period_end = _date(_("Lägesbilden till och med"))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Periodens slut är före dess början."))
        return data


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Anteckningar från mötet"), required=False, max_length=20000,
                            widget=forms.Textarea(attrs={"rows": 8}),
                            help_text=_("Anteckningarna stannar i Värn och följer inte med i underlaget till polisen."),
                            error_messages={"max_length": _("Högst %(limit_value)d tecken.")})


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Åtgärd"), max_length=300,
                            help_text=_("Följer med i underlaget till polisen: skriv inga namn eller personuppgifter."),
                            error_messages={"required": _("Beskriv åtgärden."),
                                            "max_length": _("Högst %(limit_value)d tecken.")})
    side = forms.ChoiceField(label=_("Ansvarig part"), choices=Side.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Välj om staden eller polisen ansvarar för åtgärden."),
                                             "invalid_choice": _("Välj staden eller polisen.")})
    owner = forms.CharField(label=_("Ansvarig funktion"), max_length=200,
                            help_text=_("En roll eller funktion, till exempel ”Kommunpolisen” eller "
                                        "”Enhetschef för försörjningsstöd”."),
                            error_messages={"required": _("Ange vem som ansvarar, som en roll eller funktion, till "
                                                          "exempel ”Kommunpolisen” eller ”Säkerhetssamordnaren”."),
                                            "max_length": _("Högst %(limit_value)d tecken.")})
    due_date = forms.DateField(label=_("Klar senast"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Ange när åtgärden ska vara klar. En åtgärd utan "
                                                             "slutdatum följs inte upp."),
                                               "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")})

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean_owner(self):
        return self.cleaned_data["owner"].strip()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if self.meeting is not None and due < self.meeting.held_on:
            raise forms.ValidationError(_("Datumet är före mötet (%(date)s). Ange när åtgärden ska vara klar.")
                                        % {"date": self.meeting.held_on.isoformat()})
        return due
