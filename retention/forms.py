"""Input of the gallring pages: a rule, a hold, a person for an extract."""
from django import forms
from django.utils.translation import gettext_lazy as _

from retention.models import Hold


class RuleForm(forms.Form):
    period = forms.IntegerField(label=_("Gallras efter"), min_value=0, max_value=100000, required=False,
                                error_messages={"invalid": _("Skriv ett heltal."),
                                                "min_value": _("Tiden kan inte vara negativ."),
                                                "max_value": _("Skriv en rimlig tid.")})
    keep_forever = forms.BooleanField(label=_("Bevaras för alltid (gallras inte)"), required=False)
    reason = forms.CharField(label=_("Skäl"), max_length=300, required=False,
                             help_text=_("Krävs om uppgifterna bevaras för alltid, till exempel "
                                         "arkivmyndighetens beslut om bevarande."))

    def __init__(self, *args, unit_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].help_text = unit_label

    def clean(self):
        data = super().clean()
        if not data.get("keep_forever") and data.get("period") is None and "period" not in self.errors:
            self.add_error("period", _("Ange en tid, eller välj att bevara för alltid med ett skäl."))
        return data


class HoldForm(forms.Form):
    case = forms.CharField(label=_("Ärende"), max_length=20,
                           help_text=_("Ärendets nummer, till exempel V-000123."))
    reason = forms.ChoiceField(label=_("Skäl att bevara"), choices=Hold.Reason.choices, widget=forms.RadioSelect)


class ExtractForm(forms.Form):
    person = forms.CharField(label=_("Person"), max_length=150,
                             help_text=_("Användarnamn eller e-postadress för den som begärt utdraget."))
