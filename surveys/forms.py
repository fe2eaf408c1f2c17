"""The surveys' forms: starting a survey, and the answer form (the standard
questions for each of the five forms of influence, then the own questions).
"""
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import InfluenceForm
from organisation.models import OperationArea
from surveys import questions
from surveys.models import DEFAULT_MIN_ANSWERS, MAX_OWN_QUESTIONS, OwnQuestion


class StartForm(forms.Form):
    node = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Gäller för"),
                                  error_messages={"required": gettext_lazy("Välj vilken del av organisationen "
                                                                           "enkäten gäller."),
                                                  "invalid_choice": gettext_lazy("Välj en enhet i listan.")})
    title = forms.CharField(label=gettext_lazy("Rubrik"), max_length=200,
                            error_messages={"required": gettext_lazy("Skriv en rubrik.")})
    period_start = forms.DateField(label=gettext_lazy("Frågorna gäller tiden från"),
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": gettext_lazy("Ange periodens första dag."),
                                                   "invalid": gettext_lazy("Skriv datumet som ÅÅÅÅ-MM-DD.")})
    period_end = forms.DateField(label=gettext_lazy("till och med"),
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": gettext_lazy("Ange periodens sista dag."),
                                                 "invalid": gettext_lazy("Skriv datumet som ÅÅÅÅ-MM-DD.")})
    closes_on = forms.DateField(label=gettext_lazy("Sista svarsdag"),
                                widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": gettext_lazy("Ange sista svarsdag."),
                                                "invalid": gettext_lazy("Skriv datumet som ÅÅÅÅ-MM-DD.")})
    min_answers = forms.IntegerField(
        label=gettext_lazy("Minsta antal svar för att visa resultat för en grupp"), min_value=DEFAULT_MIN_ANSWERS,
        max_value=100, initial=DEFAULT_MIN_ANSWERS,
        help_text=gettext_lazy("Minst 5. Färre svar än så visas aldrig för sig, de slås ihop med "
                               "överordnad nivå."),
        error_messages={"required": gettext_lazy("Ange ett antal, minst 5."),
                        "min_value": gettext_lazy("Minst 5 svar krävs för att visa ett resultat."),
                        "max_value": gettext_lazy("Högst 100."),
                        "invalid": gettext_lazy("Skriv ett heltal.")})

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["node"].label_from_instance = lambda n: ("\u2003" * max(n.depth, 0)) + n.name
        today = timezone.localdate()
        self.fields["period_start"].initial = today - timedelta(days=365)
        self.fields["period_end"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=14)
        for i in range(MAX_OWN_QUESTIONS):
            self.fields[f"q{i}_text"] = forms.CharField(
                label=_("Egen fråga %(n)s") % {"n": i + 1}, max_length=300, required=False)
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Svarstyp för fråga %(n)s") % {"n": i + 1}, choices=OwnQuestion.Kind.choices,
                initial=OwnQuestion.Kind.YES_NO, required=False)

    def standard_fields(self):
        return [self[n] for n in ("node", "title", "period_start", "period_end", "closes_on", "min_answers")]

    def question_fields(self):
        return [(self[f"q{i}_text"], self[f"q{i}_kind"]) for i in range(MAX_OWN_QUESTIONS)]

    def clean(self):
        data = super().clean()
        start, end, closes = data.get("period_start"), data.get("period_end"), data.get("closes_on")
        today = timezone.localdate()
        if start and end and start > end:
            self.add_error("period_end", _("Periodens slut kan inte ligga före dess början."))
        if end and end > today + timedelta(days=366):
            self.add_error("period_end", _("Perioden kan inte sluta mer än ett år fram i tiden."))
        if closes and closes < today:
            self.add_error("closes_on", _("Sista svarsdag kan inte ligga i det förflutna."))
        if closes and closes > today + timedelta(days=90):
            self.add_error("closes_on", _("Sista svarsdag kan ligga högst 90 dagar fram i tiden."))
        return data

    def own_questions(self):
        out = []
        for i in range(MAX_OWN_QUESTIONS):
            text = (self.cleaned_data.get(f"q{i}_text") or "").strip()
            if text:
                out.append((text, self.cleaned_data.get(f"q{i}_kind") or OwnQuestion.Kind.YES_NO))
        return out


class AnswerForm(forms.Form):
    """The answer: the unit, then four questions per form of influence (the
    follow-ups only when exposed), then the own questions. Every choice is a
    radio button or a checkbox: nothing to type, quick on a phone."""

    def __init__(self, *args, survey, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.units = units
        self.fields["unit"] = forms.ChoiceField(
            label=_("Vilken enhet arbetar du på?"), choices=[("", _("Välj enhet"))] + [
                (str(u.pk), u.name) for u in units],
            error_messages={"required": _("Välj den enhet du arbetar på."),
                            "invalid_choice": _("Välj en enhet i listan.")})
        areas = list(OperationArea.objects.filter(active=True))
        self.areas = {str(a.pk): a for a in areas}
        self.fields["area"] = forms.ChoiceField(
            label=_("Inom vilket verksamhetsområde?"), required=False,
            choices=[("", _("Samma som enheten"))] + [(str(a.pk), a.name) for a in areas])
        self.influence_forms = list(InfluenceForm.objects.filter(active=True))
        for f in self.influence_forms:
            c = f.code
            self.fields[f"{c}_exposed"] = forms.ChoiceField(
                label=_("Har du under perioden utsatts för %(form)s i arbetet?") % {"form": f.name.lower()},
                help_text=f.text,
                choices=[(questions.YES, _("Ja")), (questions.NO, _("Nej"))], widget=forms.RadioSelect,
                error_messages={"required": _("Svara ja eller nej.")})
            self.fields[f"{c}_times"] = forms.ChoiceField(
                label=_("Ungefär hur många gånger?"), choices=questions.TIMES, widget=forms.RadioSelect,
                required=False)
            self.fields[f"{c}_reported"] = forms.ChoiceField(
                label=_("Rapporterade du det?"), choices=questions.REPORTED, widget=forms.RadioSelect,
                required=False)
            self.fields[f"{c}_reasons"] = forms.MultipleChoiceField(
                label=_("Om inte varje gång: varför inte?"), choices=questions.REASONS,
                widget=forms.CheckboxSelectMultiple, required=False,
                help_text=_("Välj alla som stämmer."))
        self.own_questions = list(survey.own_questions.all())
        for q in self.own_questions:
            choices = ([(questions.YES, _("Ja")), (questions.NO, _("Nej"))] if q.kind == OwnQuestion.Kind.YES_NO
                       else questions.SCALE)
            self.fields[f"own_{q.pk}"] = forms.ChoiceField(
                label=q.text, choices=choices, widget=forms.RadioSelect, required=False,
                help_text=_("1 = inte alls, 5 = i mycket hög grad") if q.kind == OwnQuestion.Kind.SCALE else "")

    def groups(self):
        """(form, exposed, [follow-up fields]) for the template."""
        return [(f, self[f"{f.code}_exposed"], [self[f"{f.code}_times"], self[f"{f.code}_reported"],
                                                  self[f"{f.code}_reasons"]])
                for f in self.influence_forms]

    def own_fields(self):
        return [self[f"own_{q.pk}"] for q in self.own_questions]

    def clean(self):
        data = super().clean()
        for f in self.influence_forms:
            c = f.code
            if data.get(f"{c}_exposed") != questions.YES:
                continue
            if not data.get(f"{c}_times"):
                self.add_error(f"{c}_times", _("Ange ungefär hur många gånger."))
            reported = data.get(f"{c}_reported")
            if not reported:
                self.add_error(f"{c}_reported", _("Ange om du rapporterade det."))
            elif reported != "all" and not data.get(f"{c}_reasons"):
                self.add_error(f"{c}_reasons", _("Välj minst ett skäl, eller ”Annat skäl”."))
        return data

    def answer(self) -> dict:
        data = self.cleaned_data
        unit = next(u for u in self.units if str(u.pk) == data["unit"])
        area = self.areas.get(data.get("area") or "") or unit.operation_area
        exposure = {}
        for f in self.influence_forms:
            c = f.code
            if data.get(f"{c}_exposed") == questions.YES:
                reported = data[f"{c}_reported"]
                exposure[c] = {"exposed": True, "times": data[f"{c}_times"], "reported": reported,
                               "reasons": sorted(data.get(f"{c}_reasons") or []) if reported != "all" else []}
            else:
                exposure[c] = {"exposed": False}
        own = {str(q.pk): data[f"own_{q.pk}"] for q in self.own_questions if data.get(f"own_{q.pk}")}
        return {"unit": unit, "operation_area": area, "exposure": exposure, "own": own}


class ExitStartForm(forms.Form):
    node = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Gäller för"),
                                  error_messages={"required": gettext_lazy("Välj vilken del av organisationen "
                                                                           "enkäten gäller."),
                                                  "invalid_choice": gettext_lazy("Välj en enhet i listan.")})
    title = forms.CharField(label=gettext_lazy("Rubrik"), max_length=200,
                            error_messages={"required": gettext_lazy("Skriv en rubrik.")})
    min_answers = StartForm.base_fields["min_answers"]

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["node"].label_from_instance = lambda n: ("\u2003" * max(n.depth, 0)) + n.name
        self.fields["title"].initial = _("Avgångsenkät")


class ExitAnswerForm(forms.Form):
    """The leaver's answer: the unit, why they leave (several choices), whether
    they were exposed to unlawful influence and to which forms, and whether it
    mattered for leaving. Nothing to type."""

    def __init__(self, *args, survey, units, **kwargs):
        from surveys import exit as exit_survey

        super().__init__(*args, **kwargs)
        self.survey = survey
        self.units = units
        self.fields["unit"] = forms.ChoiceField(
            label=_("Vilken enhet har du arbetat på?"), choices=[("", _("Välj enhet"))] + [
                (str(u.pk), u.name) for u in units],
            error_messages={"required": _("Välj den enhet du har arbetat på."),
                            "invalid_choice": _("Välj en enhet i listan.")})
        self.fields["reasons"] = forms.MultipleChoiceField(
            label=_("Varför slutar du?"), choices=exit_survey.REASONS, widget=forms.CheckboxSelectMultiple,
            help_text=_("Välj alla som stämmer."),
            error_messages={"required": _("Välj minst ett skäl, eller ”Annat skäl”.")})
        self.fields["exposed"] = forms.ChoiceField(
            label=_("Har du i ditt arbete här utsatts för otillåten påverkan: hot, våld, trakasserier, "
                    "skadegörelse eller mutförsök?"),
            choices=[(questions.YES, _("Ja")), (questions.NO, _("Nej"))], widget=forms.RadioSelect,
            error_messages={"required": _("Svara ja eller nej.")})
        self.influence_forms = list(InfluenceForm.objects.filter(active=True))
        self.fields["forms"] = forms.MultipleChoiceField(
            label=_("Vilka former?"), choices=[(f.code, f.name) for f in self.influence_forms],
            widget=forms.CheckboxSelectMultiple, required=False, help_text=_("Välj alla som stämmer."))
        self.fields["mattered"] = forms.ChoiceField(
            label=_("Bidrog det till att du slutar?"), choices=exit_survey.MATTERED, widget=forms.RadioSelect,
            required=False)

    def followups(self):
        return [self["forms"], self["mattered"]]

    def clean(self):
        data = super().clean()
        if data.get("exposed") == questions.YES:
            if not data.get("forms"):
                self.add_error("forms", _("Välj minst en form."))
            if not data.get("mattered"):
                self.add_error("mattered", _("Ange om det bidrog till att du slutar."))
        return data

    def answer(self) -> dict:
        data = self.cleaned_data
        unit = next(u for u in self.units if str(u.pk) == data["unit"])
        exposed = data.get("exposed") == questions.YES
        return {"unit": unit, "reasons": sorted(data["reasons"]),
                "exposed": sorted(data.get("forms") or []) if exposed else [],
                "mattered": data.get("mattered") if exposed else ""}


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=None, label=gettext_lazy("Skicka en personlig länk till"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Välj minst en person."),
                        "invalid_choice": gettext_lazy("Välj personer i listan."),
                        "invalid_pk_value": gettext_lazy("Välj personer i listan.")})

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda p: "%s (%s)" % (
            p.get_full_name() or p.username,
            _("slutar %(day)s") % {"day": p.employment_end.isoformat()} if p.employment_end else "")


class SharedLinkForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Enhet"),
                             error_messages={"required": gettext_lazy("Välj en enhet."),
                                             "invalid_choice": gettext_lazy("Välj en enhet i listan.")})

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = [("", _("Välj enhet"))] + [(k, u.name) for k, u in self.units.items()]

    def chosen(self):
        return self.units[self.cleaned_data["unit"]]


class ReviewForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Vad kom genomgången fram till?"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Skriv inget som pekar ut en enskild person."))
