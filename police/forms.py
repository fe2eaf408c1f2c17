"""Forms of police cooperation. Every bad input becomes a Swedish message
next to its field, never an error page."""
from django import forms
from django.utils.translation import gettext_lazy as _

from police.models import CourtSupport, EmployeeRole, OutcomeStep

MAX_UPLOAD = 2 * 1024 * 1024


class MappingImportForm(forms.Form):
    fil = forms.FileField(
        label=_("CSV-fil"),
        help_text=_("Kolumnerna enhet, lokalpolisomrade och polisregion, avgränsade med semikolon eller komma, "
                    "sparad som UTF-8. En rad per enhet."),
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
