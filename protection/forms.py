"""Forms of protective measures. Each change carries the version the user
loaded (optimistic locking)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from protection.models import ProtectiveMeasure

DATE_INVALID = _("Ange datum som ÅÅÅÅ-MM-DD, till exempel 2026-03-14.")


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Skyddsåtgärd"), choices=[("", _("Välj åtgärd"))] + ProtectiveMeasure.Kind.choices,
        error_messages={"required": _("Välj vilken åtgärd som gäller."),
                        "invalid_choice": _("Välj vilken åtgärd som gäller.")})
    note = forms.CharField(
        label=_("Beskrivning av skyddsåtgärden"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vad enheten gör vid kommande kontakter med hushållet. Skriv inte klientens namn, "
                    "adress eller personnummer."),
        error_messages={"max_length": _("Beskrivningen får vara högst %(limit_value)d tecken, du har skrivit %(show_value)d.")})
    review_on = forms.DateField(
        label=_("Omprövas senast"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"],
        error_messages={"required": _("Ange när åtgärden ska omprövas, till exempel om tre månader."),
                        "invalid": DATE_INVALID})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="skydd", **kwargs)
        self.fields["note"].widget.attrs.pop("maxlength", None)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför behövs åtgärden inte längre?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv kort varför åtgärden inte behövs längre."),
                        "max_length": _("Skälet får vara högst %(limit_value)d tecken, du har skrivit %(show_value)d.")})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="avsluta", **kwargs)
        self.fields["reason"].widget.attrs.pop("maxlength", None)
