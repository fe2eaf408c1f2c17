"""Forms for case handling. Each carries the case version it was loaded at."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.checklist import REFERENCE_LABELS
from incidents.models import Action, ChecklistItem, Incident, InfluenceForm


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class StatusForm(VersionForm):
    to = forms.ChoiceField(choices=Incident.Status.choices, widget=forms.HiddenInput)


class AssignForm(VersionForm):
    handler = forms.ModelChoiceField(queryset=None, required=False, label=_("Handläggare"),
                                     empty_label=_("Ingen"))

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        from organisation.models import User

        self.fields["handler"].queryset = User.objects.filter(pk__in=[u.pk for u in handlers])


class ChecklistItemForm(forms.Form):
    # When the item was last saved, as the user saw it: a later save by someone
    # else is a conflict (the item's own optimistic lock).
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    state = forms.ChoiceField(label=_("Läge"), choices=ChecklistItem.State.choices, widget=forms.RadioSelect)
    done_on = forms.DateField(label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Referens"), required=False, max_length=60)
    note = forms.CharField(label=_("Kommentar eller skäl"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, code, **kwargs):
        """One item's form (prefixed with its code). Only the items that
        carry another authority's number have a reference field, named for
        that number; the date is today's unless the item has one."""
        super().__init__(*args, prefix=code, **kwargs)
        if code in REFERENCE_LABELS:
            self.fields["reference"].label = REFERENCE_LABELS[code]
        else:
            del self.fields["reference"]
        self.fields["done_on"].error_messages["invalid"] = _("Ange datum som ÅÅÅÅ-MM-DD.")


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Åtgärd"), max_length=300,
                            error_messages={"required": _("Skriv vad som ska göras.")})
    owner = forms.ModelChoiceField(queryset=None, label=_("Ansvarig"),
                                   error_messages={"required": _("Välj vem som ansvarar."),
                                                   "invalid_choice": _("Välj en ansvarig i listan.")})
    due_date = forms.DateField(label=_("Klar senast"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Ange när åtgärden ska vara klar."),
                                               "invalid": _("Ange ett datum som ÅÅÅÅ-MM-DD.")})

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        from organisation.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in owners])

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("Datumet har redan passerat."))
        if due.year > timezone.localdate().year + 5:
            raise forms.ValidationError(_("Välj ett datum inom fem år."))
        return due


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices)


class CloseForm(VersionForm):
    summary = forms.CharField(label=_("Sammanfattning"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Rapportören ser sammanfattningen på sin sida och får besked när "
                                          "ärendet avslutas."),
                              error_messages={"required": _("Skriv en kort sammanfattning innan du avslutar ärendet.")})


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Varför öppnas ärendet igen?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Skriv varför ärendet öppnas igen.")})


class InboxFilterForm(forms.Form):
    SORTS = [("aldst", _("Äldst först")), ("nyast", _("Nyast först"))]
    sok = forms.CharField(required=False, label=_("Sök ärende"), max_length=100,
                          help_text=_("Ärendenummer (V-000123 eller 123), K-nummer eller ord ur beskrivningen."),
                          error_messages={"max_length": _("Skriv högst %(limit_value)d tecken.")},
                          widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}))
    enhet = forms.ModelChoiceField(queryset=None, required=False, label=_("Enhet"), empty_label=_("Alla"),
                                   error_messages={"invalid_choice": _("Enheten finns inte i ditt ansvarsområde.")})
    form = forms.ChoiceField(required=False, label=_("Form"),
                             error_messages={"invalid_choice": _("Det finns ingen sådan form av påverkan.")})
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[("", _("Alla"))] + list(Incident.Status.choices),
                               error_messages={"invalid_choice": _("Okänd status.")})
    fran = forms.DateField(required=False, label=_("Inkom från"), widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": _("Ange datum som ÅÅÅÅ-MM-DD.")})
    till = forms.DateField(required=False, label=_("Inkom till"), widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": _("Ange datum som ÅÅÅÅ-MM-DD.")})
    sortering = forms.ChoiceField(required=False, choices=SORTS, label=_("Sortering"))

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enhet"].queryset = nodes
        self.fields["form"].choices = [("", _("Alla"))] + [
            (f.code, f.name) for f in InfluenceForm.objects.filter(active=True)]

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.add_error("till", _("Slutdatumet ligger före startdatumet."))
        return data
