"""Forms of the reporting flow: the report itself, a message in the thread
and the anonymous reporter's receipt code. Every message is specific Swedish
that says what to do."""
import re
from datetime import datetime, time, timedelta

from django import forms as djforms  # "forms" is a field name below
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents import routing
from incidents.classify import source_hint
from incidents.models import Channel, Incident, InfluenceForm, Source
from organisation.models import OperationArea
from reporting import attachments, services

# K-numbers as the police print them: K123456-24, optionally with the police
# region prefix (5000-K123456-24). Spaces and a missing dash are forgiven.
K_NUMBER = re.compile(r"^(?:(\d{4})\s*-\s*)?K\s*-?\s*(\d{2,10})\s*-\s*(\d{2})$", re.IGNORECASE)


class TextField(djforms.CharField):
    """A CharField that counts a line break as one character, as the
    counter in the browser does (browsers send CRLF)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class MultipleFileInput(djforms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(djforms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        empty = [item.name for item in items if getattr(item, "size", 1) == 0]
        if empty:
            raise djforms.ValidationError([_("Filen ”%(name)s” är tom.") % {"name": name} for name in empty])
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class TermMultipleChoiceField(djforms.ModelMultipleChoiceField):
    """Rejects values that cannot be a key before asking the database, which
    would fail on numbers larger than its integers."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or len(str(pk)) > 15:
                raise djforms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                              params={"value": pk})
        return super()._check_values(value)


def hint_question(hint, confirm: bool = True) -> str:
    """The question the form asks when the description points to a manager,
    a colleague or an elected official (incidents.classify.source_hint).
    `confirm`: an answer is chosen already, and the reporter may confirm it."""
    term = Source.objects.filter(code=hint.code, active=True).first()
    values = {"phrase": hint.matched_phrase, "source": term.name if term else ""}
    if hint.code == "fortroendevald":
        question = _("Du skrev ”%(phrase)s”. Gäller det en förtroendevald? Välj då ”%(source)s”, så går rapporten förbi enhetens chefer.") % values
    else:
        question = _("Du skrev ”%(phrase)s”. Gäller det din chef eller en kollega? Välj då ”%(source)s”, så går rapporten förbi enhetens chefer.") % values
    if confirm:
        question += " " + str(_("Stämmer ditt svar, kryssa i rutan under frågan och skicka igen."))
    return question


class TermChoiceField(djforms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReportForm(djforms.Form):
    description = TextField(
        label=_("Vad hände?"),
        help_text=_("Med egna ord: vad sades eller gjordes, och av vem (till exempel ”en brukare”). Namn behövs inte."),
        max_length=services.MAX_TEXT,
        widget=djforms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Beskriv kort vad som hände."),
            "max_length": _("Texten är för lång: högst %(limit_value)d tecken, du har skrivit %(show_value)d. Korta texten eller lägg resten i en bilaga."),
        },
    )
    forms = TermMultipleChoiceField(
        label=_("Vilken form av påverkan?"),
        queryset=InfluenceForm.objects.filter(active=True),
        widget=djforms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Välj minst en form av påverkan. Är du osäker, välj den som ligger närmast."),
            "invalid_choice": _("Välj bland formerna i listan."),
            "invalid_pk_value": _("Välj bland formerna i listan."),
        },
    )
    occurred_date = djforms.DateField(
        label=_("Datum"),
        widget=djforms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"],
        error_messages={
            "required": _("Skriv vilket datum det hände."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-14."),
        },
    )
    occurred_time = djforms.TimeField(
        label=_("Klockslag (ungefär)"),
        required=False,
        widget=djforms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"invalid": _("Skriv klockslaget som TT:MM, till exempel 14:30.")},
    )
    unit = TermChoiceField(
        label=_("Enhet"),
        queryset=services.reportable_units(),
        error_messages={
            "required": _("Välj den enhet där du arbetar eller där det hände."),
            "invalid_choice": _("Välj en enhet i listan."),
        },
    )
    # The routing question: asked of everyone, before sending (see
    # incidents.routing.decide_bypass for what each answer does).
    source = TermChoiceField(
        label=_("Vem utövade påverkan?"),
        help_text=_("Svaret avgör vem som får rapporten. Gäller det din chef, en kollega eller en förtroendevald går den förbi enhetens chefer, till säkerhetssamordnare och HR."),
        queryset=Source.objects.filter(active=True),
        widget=djforms.RadioSelect,
        error_messages={"required": _("Välj vem som utövade påverkan. Vet du inte, eller vill du inte säga det, välj ”Vet inte / vill inte säga”."),
                        "invalid_choice": _("Välj ett alternativ i listan.")},
    )
    manager_may_see = djforms.BooleanField(label=_("Min chef får se rapporten"), required=False)
    source_confirmed = djforms.BooleanField(
        label=_("Ja, mitt svar stämmer – rapporten får gå till enhetens chefer"), required=False)
    # The fingerprints (incidents.routing.signature) of the recipients the
    # page showed; the report is sent only to recipients the reporter saw.
    recipients_seen = djforms.CharField(required=False, max_length=200, widget=djforms.HiddenInput)
    identity_mode = djforms.ChoiceField(
        label=_("Hur synlig vill du vara?"),
        choices=Incident.IdentityMode.choices,
        initial=Incident.IdentityMode.NAMED,
        widget=djforms.RadioSelect,
        error_messages={"required": _("Välj hur synlig du vill vara."),
                        "invalid_choice": _("Välj ett av alternativen.")},
    )
    channel = TermChoiceField(
        label=_("Hur eller var skedde det?"), required=False,
        queryset=Channel.objects.filter(active=True),
        empty_label=_("Vet inte / vill inte ange"),
        error_messages={"invalid_choice": _("Välj ett alternativ i listan.")},
    )
    operation_area = TermChoiceField(
        label=_("Verksamhetsområde"), required=False,
        help_text=_("Förifyllt från enheten."),
        queryset=OperationArea.objects.filter(active=True),
        empty_label=_("Samma som enheten"),
        error_messages={"invalid_choice": _("Välj ett alternativ i listan.")},
    )
    location = djforms.CharField(
        label=_("Plats"), required=False, max_length=200,
        help_text=_("Till exempel ”besöksrummet” eller ”utanför brukarens bostad”. Ingen adress behövs."),
        error_messages={"max_length": _("Platsen får vara högst %(limit_value)d tecken, du har skrivit %(show_value)d.")},
    )
    someone_hurt = djforms.BooleanField(label=_("Någon skadades"), required=False)
    property_damaged = djforms.BooleanField(label=_("Egendom skadades"), required=False)
    wants_support = djforms.BooleanField(label=_("Jag vill ha ett stödsamtal"), required=False)
    police_status = djforms.ChoiceField(
        label=_("Polisanmälan"),
        choices=[
            (Incident.PoliceStatus.UNDECIDED, _("Inte bestämt än")),
            (Incident.PoliceStatus.REPORTED, _("Jag har redan polisanmält")),
            (Incident.PoliceStatus.EMPLOYER, _("Jag vill att arbetsgivaren polisanmäler")),
            (Incident.PoliceStatus.DECLINED, _("Jag vill inte att det polisanmäls")),
        ],
        initial=Incident.PoliceStatus.UNDECIDED,
        widget=djforms.RadioSelect,
        error_messages={"invalid_choice": _("Välj ett av alternativen.")},
    )
    police_reference = djforms.CharField(
        label=_("K-nummer"), required=False, max_length=40,
        help_text=_("Står på polisens kvitto, till exempel K123456-24."),
        error_messages={"max_length": _("Skriv K-numret som det står på polisens kvitto, till exempel K123456-24.")},
    )
    police_reason = TextField(
        label=_("Varför vill du inte att det polisanmäls?"), required=False,
        max_length=2000, widget=djforms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Skälet får vara högst %(limit_value)d tecken, du har skrivit %(show_value)d.")},
    )
    attachments = MultipleFileField(
        label=_("Bilagor"), required=False,
        help_text=_("Foton, skärmdumpar eller brev: JPEG, PNG, HEIC eller PDF, högst 10 MB per fil och 5 filer. Platsuppgifter och annan metadata tas bort ur bilderna."),
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.heic,.heif,.pdf,image/jpeg,image/png,image/heic,application/pdf"}),
    )
    token = djforms.UUIDField(widget=djforms.HiddenInput,
                            error_messages={"required": _("Formuläret är ofullständigt. Ladda om sidan och försök igen."),
                                            "invalid": _("Formuläret är ofullständigt. Ladda om sidan och försök igen.")})

    # Fields the reporter does not need to touch; shown folded under "Mer information".
    OPTIONAL = ["channel", "operation_area", "location", "someone_hurt", "property_damaged",
                "wants_support", "police_status", "police_reference", "police_reason", "attachments"]

    # Where the error summary links to for fields drawn as a group of inputs.
    ANCHORS = {"forms": "id_forms_0", "source": "id_source_0", "identity_mode": "id_identity_mode_0",
               "police_status": "id_police_status_0", "token": ""}

    def __init__(self, *args, anonymous_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.anonymous_only = anonymous_only
        self.source_hint = None
        # No maxlength on long texts: the browser would cut a pasted text
        # silently. The counter and the server's message say what to do instead.
        self.fields["description"].widget.attrs.pop("maxlength", None)
        self.fields["police_reason"].widget.attrs.pop("maxlength", None)
        self.fields["location"].widget.attrs.pop("maxlength", None)
        self.fields["description"].widget.attrs["data-max"] = services.MAX_TEXT
        if anonymous_only:
            # Whatever is posted, clean() makes the report anonymous.
            self.fields["identity_mode"].required = False
            self.fields["identity_mode"].initial = Incident.IdentityMode.ANONYMOUS

    def clean_police_reference(self):
        value = self.cleaned_data.get("police_reference", "").strip()
        if not value:
            return ""
        match = K_NUMBER.match(value)
        if not match:
            raise djforms.ValidationError(
                _("Det ser inte ut som ett K-nummer. Skriv det som det står på polisens kvitto, till exempel K123456-24."))
        prefix, number, year = match.groups()
        return (f"{prefix}-" if prefix else "") + f"K{number}-{year}"

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > attachments.MAX_FILES:
            raise djforms.ValidationError(
                _("Du kan bifoga högst %(max)d filer, du valde %(count)d. Välj de viktigaste.")
                % {"max": attachments.MAX_FILES, "count": len(files)})
        problems = []
        for upload in files:
            try:
                attachments.check_upload(upload)
            except attachments.AttachmentError as exc:
                problems.append(str(exc))
        if problems:
            raise djforms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        day = data.get("occurred_date")
        if day is not None:
            now = timezone.localtime()
            at = data.get("occurred_time")
            if at is None:
                # No time given: now if it was today, otherwise midday.
                at = now.time().replace(second=0, microsecond=0) if day == now.date() else time(12, 0)
            occurred = timezone.make_aware(datetime.combine(day, at))
            if day > now.date():
                self.add_error("occurred_date", _("Datumet har inte varit än. Välj dagens datum eller ett tidigare."))
            elif occurred > now + timedelta(minutes=5):
                self.add_error("occurred_time", _("Klockslaget har inte varit än i dag. Välj ett tidigare klockslag."))
            elif day < (now - timedelta(days=365 * services.OLDEST_YEARS + 1)).date():
                self.add_error("occurred_date", _(
                    "Händelsen ligger mer än fem år tillbaka. Kontakta din säkerhetssamordnare eller HR, så tar de emot rapporten direkt."))
            else:
                data["occurred_at"] = occurred
        status = data.get("police_status")
        if data.get("police_reference") and status == Incident.PoliceStatus.UNDECIDED:
            # A K-number means it has been reported, whatever was left selected.
            data["police_status"] = status = Incident.PoliceStatus.REPORTED
        if status == Incident.PoliceStatus.REPORTED and not data.get("police_reference") \
                and "police_reference" not in self.errors:
            self.add_error("police_reference", _(
                "Skriv K-numret från polisens kvitto, till exempel K123456-24. Har du det inte nu? Välj ”Inte bestämt än” och lämna det senare."))
        if status == Incident.PoliceStatus.DECLINED and not (data.get("police_reason") or "").strip() \
                and "police_reason" not in self.errors:
            self.add_error("police_reason", _(
                "Skriv kort varför du inte vill att det polisanmäls, så att arbetsgivaren kan ta ställning."))
        if self.anonymous_only:
            data["identity_mode"] = Incident.IdentityMode.ANONYMOUS
        self._check_source(data)
        return data

    def _check_source(self, data):
        """Ask before sending when the text names a manager, a colleague or an
        elected official as the one acting while the chosen answer would send
        the report to the unit's managers."""
        source = data.get("source")
        if source is None or "source" in self.errors:
            return
        if routing.decide_bypass(source, data.get("manager_may_see")):
            return
        hint = source_hint(data.get("description") or "")
        if hint is None or data.get("source_confirmed"):
            return
        self.source_hint = hint
        self.add_error("source", hint_question(hint))

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order of the page."""
        links = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                links.append((self.ANCHORS.get(name, f"id_{name}"), message))
        links += [("", message) for message in self.non_field_errors()]
        return links

    @property
    def optional_touched(self) -> bool:
        """Whether the folded section should be open: it holds an error or a value."""
        if not self.is_bound:
            return any(self.initial.get(name) not in (None, "", False, Incident.PoliceStatus.UNDECIDED)
                       for name in self.OPTIONAL if name != "operation_area")
        if any(name in self.errors for name in self.OPTIONAL):
            return True
        return any(self.data.get(name) not in (None, "", Incident.PoliceStatus.UNDECIDED)
                   for name in self.OPTIONAL if name != "operation_area")


class EmployeeChoiceField(djforms.ModelChoiceField):
    """An employee picked by the registrar; a key that cannot be one is
    refused before the database is asked."""

    def to_python(self, value):
        if value not in self.empty_values and (not str(value).isdigit() or len(str(value)) > 15):
            raise djforms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class OnBehalfForm(ReportForm):
    """The report form as a manager, safety representative or security
    coordinator fills it in for an employee after a phone call or a
    conversation: the employee (only people in the registrar's scope,
    incidents.access.on_behalf_people), their consent and the contact on top
    of the report's own fields, whose answers are the employee's."""

    employee = EmployeeChoiceField(
        queryset=None, widget=djforms.HiddenInput,
        error_messages={"required": _("Välj vilken medarbetare du registrerar rapporten åt."),
                        "invalid_choice": _("Välj vilken medarbetare du registrerar rapporten åt.")})
    registered_channel = djforms.ChoiceField(
        label=_("Hur berättade medarbetaren om händelsen?"),
        choices=Incident.RegisteredChannel.choices, initial=Incident.RegisteredChannel.PHONE,
        widget=djforms.RadioSelect,
        error_messages={"required": _("Välj hur medarbetaren berättade om händelsen."),
                        "invalid_choice": _("Välj ett av alternativen.")})
    consent = djforms.BooleanField(
        label=_("Medarbetaren samtycker till att jag registrerar rapporten åt hen, med den synlighet hen har valt"),
        error_messages={"required": _(
            "Kryssa i att medarbetaren samtycker. Utan medarbetarens samtycke kan du inte registrera rapporten åt hen – "
            "fråga först, allt du har skrivit finns kvar.")})

    ANCHORS = {**ReportForm.ANCHORS, "registered_channel": "id_registered_channel_0", "employee": "medarbetare"}

    def __init__(self, *args, registrar, **kwargs):
        super().__init__(*args, **kwargs)
        from incidents import access

        self.fields["employee"].queryset = access.on_behalf_people(registrar)
        # The anonymous choice is the employee's; the checkbox reads in their name.
        self.fields["wants_support"].label = _("Medarbetaren vill ha ett stödsamtal")
        self.fields["manager_may_see"].label = _("Medarbetarens chef får se rapporten")

    def error_links(self) -> list[tuple[str, str]]:
        # The registration's questions come first on the page.
        first = [(self.ANCHORS.get(name, f"id_{name}"), message)
                 for name in ("employee", "registered_channel", "consent") for message in self.errors.get(name, [])]
        rest = [link for link in super().error_links() if link not in first]
        return first + rest


class MessageForm(djforms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.pop("maxlength", None)

    body = TextField(
        label=_("Skriv ett meddelande"),
        max_length=services.MAX_TEXT,
        widget=djforms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Skriv något innan du skickar."),
            "max_length": _("Meddelandet är för långt: högst %(limit_value)d tecken, du har skrivit %(show_value)d."),
        },
    )


class ReceiptCodeForm(djforms.Form):
    code = djforms.CharField(
        label=_("Kvittokod"), max_length=64,
        error_messages={"required": _("Skriv koden från ditt kvitto."),
                        "max_length": _("Skriv koden från ditt kvitto, till exempel ABCD-EFGH-JKMN-PQRS.")},
    )
