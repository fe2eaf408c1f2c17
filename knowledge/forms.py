"""Forms for editing the knowledge bank and searching it."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.models import Article
from knowledge.services import EDITOR_ROLES
from organisation.models import User

MAX_BODY = 60_000


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.email})" if obj.email else str(obj)


class ArticleForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Vad ändrade du?"), max_length=300, required=False,
        help_text=_("Syns i versionshistoriken, t.ex. ”Nytt telefonnummer till krisstödet”."),
    )
    # The version the editor started from; a newer one means someone else saved meanwhile.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = ["title", "topic", "slug", "body", "title_en", "body_en", "owner", "next_review",
                  "sort_order"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 22, "spellcheck": "true", "lang": "sv"}),
            "body_en": forms.Textarea(attrs={"rows": 12, "spellcheck": "true", "lang": "en"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "next_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "slug": _("Del av adressen, t.ex. /kunskap/hot-pa-skamt/. Kan inte ändras efteråt, "
                      "eftersom formulär och checklistor länkar hit."),
            "body": _("Markdown: ## Rubrik, - punktlista, 1. numrerad lista, **fetstil**, "
                      "[länktext](https://adress)."),
            "body_en": _("Visas när någon använder Värn på engelska. Lämna tomt om det inte finns."),
            "owner": _("Får en påminnelse med e-post när det är dags för översyn."),
            "next_review": _("Senast när artikeln ska ses över nästa gång."),
            "sort_order": _("Lägre tal visas först inom ämnet."),
        }
        error_messages = {
            "title": {"required": _("Skriv en rubrik.")},
            "body": {"required": _("Skriv artikelns text.")},
            "slug": {"required": _("Ange en adress, t.ex. ”hot-pa-skamt”."),
                     "unique": _("Det finns redan en artikel med den adressen."),
                     "invalid": _("Använd bara små bokstäverna a–z, siffror och bindestreck.")},
            "topic": {"required": _("Välj ett ämne."),
                      "invalid_choice": _("Välj ett av ämnena i listan.")},
            "next_review": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-01.")},
            "sort_order": {"invalid": _("Skriv ett heltal, t.ex. 10."),
                           "max_value": _("Skriv ett tal som är högst 32767.")},
            "owner": {"invalid_choice": _("Välj en ansvarig i listan.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editors = (User.objects.filter(is_active=True, assignments__active=True,
                                       assignments__role__in=EDITOR_ROLES)
                   .distinct().order_by("first_name", "last_name", "username"))
        self.fields["owner"] = OwnerChoiceField(
            queryset=editors, required=False, label=_("Ansvarig"),
            empty_label=_("Ingen ansvarig ännu"), help_text=self.fields["owner"].help_text,
            error_messages={"invalid_choice": _("Välj en ansvarig i listan.")},
        )
        self.fields["sort_order"].widget.attrs.update({"min": 0, "max": 32767})
        if self.instance.pk:
            # Slugs are stable: forms and checklists link to them.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("Adressen kan inte ändras, eftersom formulär och "
                                              "checklistor länkar hit.")
            self.initial.setdefault("base_version", self.instance.versions.count())
        self.fields["body"].widget.attrs["maxlength"] = MAX_BODY
        self.fields["body_en"].widget.attrs["maxlength"] = MAX_BODY

    def clean_sort_order(self):
        value = self.cleaned_data.get("sort_order")
        if value is None:
            return 100
        if value > 32767:
            raise forms.ValidationError(_("Skriv ett tal som är högst 32767."))
        return value

    def clean_next_review(self):
        value = self.cleaned_data.get("next_review")
        if value and value.year > timezone.localdate().year + 10:
            raise forms.ValidationError(_("Välj ett datum inom tio år."))
        return value

    def _clean_text(self, name):
        value = self.cleaned_data.get(name, "")
        if len(value) > MAX_BODY:
            raise forms.ValidationError(_("Texten är för lång (högst %(max)s tecken).") % {"max": MAX_BODY})
        return value.replace("\r\n", "\n")

    def clean_body(self):
        return self._clean_text("body")

    def clean_body_en(self):
        return self._clean_text("body_en")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("body_en", "").strip() and not cleaned.get("title_en", "").strip():
            self.add_error("title_en", _("Skriv en engelsk rubrik när det finns en engelsk text."))
        base = cleaned.get("base_version")
        if self.instance.pk and base is not None:
            current = self.instance.versions.count()
            if base != current:
                latest = self.instance.versions.select_related("author").first()
                who = str(latest.author) if latest and latest.author else _("någon annan")
                raise forms.ValidationError(
                    _("Artikeln har ändrats av %(who)s medan du redigerade. Öppna den igen "
                      "och gör om din ändring, så skrivs ingenting över.") % {"who": who},
                    code="stale")
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Sök i kunskapsbanken"), max_length=200, required=False)
