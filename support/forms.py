"""Forms of the support track on the case page. Each carries the track's
version as the user loaded it (optimistic locking)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from support.models import SupportAnswer, SupportOffer

DATE_INVALID = _("Ange datum som ÅÅÅÅ-MM-DD.")


class TrackVersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class StepForm(TrackVersionForm):
    ACTIONS = [("done", _("Genomfört")), ("reschedule", _("Flytta till ett annat datum")),
               ("skip", _("Hoppa över"))]
    action = forms.ChoiceField(label=_("Vad vill du göra?"), choices=ACTIONS, widget=forms.RadioSelect,
                               error_messages={"required": _("Välj vad som ska göras med steget.")})
    day = forms.DateField(label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": DATE_INVALID})
    note = forms.CharField(label=_("Anteckning eller skäl"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Skriv inget om klienten. Skäl krävs för att hoppa över."))

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, prefix=f"steg-{kind}", **kwargs)


class OfferForm(TrackVersionForm):
    code = forms.ChoiceField(label=_("Stöd"), choices=[("", _("Välj stöd"))] + SupportOffer.Code.choices,
                             error_messages={"required": _("Välj vilket stöd som erbjöds."),
                                             "invalid_choice": _("Välj vilket stöd som erbjöds.")})
    offered_on = forms.DateField(label=_("Erbjudet den"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"invalid": DATE_INVALID})
    answer = forms.ChoiceField(label=_("Medarbetarens svar"), choices=SupportOffer.Answer.choices,
                               initial=SupportOffer.Answer.PENDING,
                               error_messages={"required": _("Välj medarbetarens svar."),
                                               "invalid_choice": _("Välj medarbetarens svar.")})
    note = forms.CharField(label=_("Beskrivning"), required=False, max_length=300,
                           help_text=_("Krävs för Annat."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="erbjudande", **kwargs)


class OfferAnswerForm(TrackVersionForm):
    answer = forms.ChoiceField(choices=SupportOffer.Answer.choices)


class EndForm(TrackVersionForm):
    reason = forms.CharField(label=_("Varför avslutas stödspåret i förtid?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Skriv varför stödspåret avslutas i förtid.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="avsluta-stod", **kwargs)


class AnswerForm(forms.Form):
    """"Fick du det stöd du behövde?", as the employee answers it."""

    occasion = forms.ChoiceField(choices=SupportAnswer.Occasion.choices, widget=forms.HiddenInput)
    felt_supported = forms.ChoiceField(
        label=_("Fick du det stöd du behövde?"), choices=[("ja", _("Ja")), ("nej", _("Nej"))],
        widget=forms.RadioSelect, error_messages={"required": _("Svara ja eller nej."),
                                                  "invalid_choice": _("Svara ja eller nej.")})
    comment = forms.CharField(label=_("Vill du säga något mer? (frivilligt)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Handläggaren läser det. Skriv inget du inte vill att hen ska veta."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="stod", **kwargs)
