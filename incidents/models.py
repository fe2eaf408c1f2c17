"""Incidents of unlawful influence and the taxonomies that classify them.

Taxonomies are data (organisation.models.TaxonomyTerm): each term has a fixed
code (statistics are kept on codes) and admin-editable labels. The operation
area is one too; it lives in organisation because units have one.
"""
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from incidents.signals import rows_changed
from organisation.models import TaxonomyTerm


class InfluenceForm(TaxonomyTerm):
    """One of the five forms of influence (hot, vald, trakasserier, ...)."""

    examples = models.TextField(_("exempel"), blank=True)
    examples_en = models.TextField(_("exempel (engelska)"), blank=True)

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("form av påverkan")
        verbose_name_plural = _("former av påverkan")

    @property
    def example_text(self) -> str:
        if translation.get_language() == "en" and self.examples_en:
            return self.examples_en
        return self.examples


class Source(TaxonomyTerm):
    """Who exerted the influence."""

    # Sources inside the organisation or its governance: a report about them
    # bypasses the unit's management (see incidents.routing).
    bypasses_management = models.BooleanField(_("går förbi enhetens chefer"), default=False)

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("källa")
        verbose_name_plural = _("källor")


class Channel(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("kanal")
        verbose_name_plural = _("kanaler")


# --- scope -------------------------------------------------------------------------

class ScopeRequired(RuntimeError):
    """A query on incidents (or on what hangs off one) that forgot its scope."""


class ScopedManager(models.Manager):
    """The default manager of Incident and of the models that hang off one
    (actions, messages, attachments, checklist items).

    Reading through it raises ScopeRequired: a user's incidents come from
    incidents.access (visible_incidents, handleable_incidents, …), so a query
    that forgets the scope fails loudly in tests and in production instead of
    leaking. The few system paths that must see every row (reminders, the
    optimistic-lock update, actor matching, gallring) use `Model.unscoped`
    and say why. Writing is allowed (create, bulk_create): it reveals
    nothing. A related manager reached from an incident the caller already
    holds (incident.messages) is within that incident's scope.
    """

    def get_queryset(self):
        if isinstance(getattr(self, "instance", None), Incident):
            return super().get_queryset()
        raise ScopeRequired(
            f"{self.model.__name__}.objects needs a scope: take the rows from incidents.access, "
            f"or use {self.model.__name__}.unscoped on a system path and say why.")

    def _unscoped(self):
        return super().get_queryset()

    def none(self):
        return self._unscoped().none()

    def create(self, **kwargs):
        return self._unscoped().create(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        return self._unscoped().bulk_create(objs, *args, **kwargs)


# Each incident's random record key for the cell key method of disclosure
# control (situation/cellkey.py, docs/disclosure.md).
RECORD_KEY_RANGE = 256


def new_record_key() -> int:
    return secrets.randbelow(RECORD_KEY_RANGE)


class IncidentQuerySet(models.QuerySet):
    """Bulk writes of incidents announce the rows they touched
    (incidents.signals.rows_changed), in the same transaction, so that what
    is kept beside the rows (the statistics' running totals) follows every
    ORM write, not only Model.save()."""

    def update(self, **kwargs):
        if not rows_changed.has_listeners(self.model):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            ids = list(self.order_by().values_list("pk", flat=True))
            count = super().update(**kwargs)
            if ids:
                rows_changed.send(sender=self.model, ids=ids, fields=set(kwargs))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        if not rows_changed.has_listeners(self.model):
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            ids = [obj.pk for obj in created if obj.pk is not None]
            if ids:
                rows_changed.send(sender=self.model, ids=ids, fields=None)
        return created


class PoliceStatus(models.TextChoices):
    UNDECIDED = "undecided", _("Inte bestämt")
    REPORTED = "reported", _("Redan polisanmäld")
    EMPLOYER = "employer", _("Arbetsgivaren ska polisanmäla")
    DECLINED = "declined", _("Ska inte polisanmälas")


class RegisteredChannel(models.TextChoices):
    """How the registrar heard of an event they register on an employee's behalf."""
    PHONE = "phone", _("Telefonsamtal")
    CONVERSATION = "conversation", _("Samtal på plats")
    DIGITAL = "digital", _("Videomöte eller chatt")
    OTHER = "other", _("Annat")


class Incident(models.Model):
    PoliceStatus = PoliceStatus
    RegisteredChannel = RegisteredChannel

    class Status(models.TextChoices):
        NEW = "new", _("Inkommen")
        ACKNOWLEDGED = "acknowledged", _("Mottagen")
        INVESTIGATING = "investigating", _("Under utredning")
        RESOLVED = "resolved", _("Åtgärdad")
        CLOSED = "closed", _("Avslutad")

    class IdentityMode(models.TextChoices):
        NAMED = "named", _("Med namn")
        CONFIDENTIAL = "confidential", _("Konfidentiell")
        ANONYMOUS = "anonymous", _("Anonym")

    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT,
                             related_name="incidents", verbose_name=_("enhet"))
    occurred_at = models.DateTimeField(_("när det hände"), db_index=True)
    reported_at = models.DateTimeField(_("rapporterad"), default=timezone.now, db_index=True)
    forms = models.ManyToManyField(InfluenceForm, related_name="incidents",
                                   verbose_name=_("former av påverkan"))
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT,
                               verbose_name=_("vem som utövade påverkan"))
    operation_area = models.ForeignKey("organisation.OperationArea", null=True, blank=True,
                                       on_delete=models.PROTECT, verbose_name=_("verksamhetsområde"))
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT,
                                verbose_name=_("kanal"))
    description = models.TextField(_("vad som hände"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reported_incidents",
                                 verbose_name=_("rapportör"))
    identity_mode = models.CharField(_("synlighet"), max_length=20, choices=IdentityMode.choices,
                                     default=IdentityMode.NAMED)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.NEW, db_index=True)
    # Set at reporting time from the source: the case goes to the security
    # coordinator and HR instead of the unit's managers.
    bypasses_management = models.BooleanField(_("förbi enhetens chefer"), default=False)

    # Optional facts from the report form.
    location = models.CharField(_("plats"), max_length=200, blank=True)
    someone_hurt = models.BooleanField(_("någon skadades"), default=False)
    property_damaged = models.BooleanField(_("egendom skadades"), default=False)
    wants_support = models.BooleanField(_("vill ha stödsamtal"), default=False)
    police_status = models.CharField(_("polisanmälan"), max_length=20, choices=PoliceStatus.choices,
                                     default=PoliceStatus.UNDECIDED)
    police_reference = models.CharField(_("K-nummer"), max_length=40, blank=True)
    police_reason = models.TextField(_("skäl att inte polisanmäla"), blank=True)

    # Case handling.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="assigned_incidents",
                                    verbose_name=_("handläggare"))
    acknowledged_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # Keyed pseudonym (HMAC) of the actor's identifier; never the identifier itself.
    actor_pseudonym = models.CharField(_("aktörspseudonym"), max_length=64, blank=True, db_index=True)
    # When acknowledgement is due (working days after the report); set on creation.
    ack_due_at = models.DateTimeField(_("ska vara mottagen senast"), null=True, blank=True, db_index=True)
    closing_summary = models.TextField(_("sammanfattning vid avslut"), blank=True)
    # Why the case was last opened again (shown on its timeline; the audit
    # log keeps only a keyed hash of it).
    reopen_reason = models.TextField(_("skäl att öppna igen"), blank=True)
    # Optimistic locking: a save that started from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # A report registered on behalf of an employee (reporting.services.create_report's
    # `registrar`): who registered it, in which role, after what contact, and that
    # the employee consented. The reporter is the employee (none when the employee
    # chose anonymous: only the registrar knows who it is).
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="registered_incidents",
                                      verbose_name=_("registrerad av"))
    registered_as = models.CharField(_("registrerad som"), max_length=30, blank=True)
    registered_channel = models.CharField(_("kontakt"), max_length=20, choices=RegisteredChannel.choices,
                                          blank=True)
    consent_recorded = models.BooleanField(_("medarbetarens samtycke"), default=False)
    # Random, fixed at creation, never shown: the cell key method sums these
    # to perturb published counts the same way every time (situation/cellkey.py).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    # Gallring (retention/): when the case's personal data was removed, and
    # the reporter's gender kept for the statistics once the reporter is gone.
    thinned_at = models.DateTimeField(_("gallrad"), null=True, blank=True, editable=False)
    reporter_gender = models.CharField(max_length=10, blank=True, default="", editable=False)

    objects = ScopedManager.from_queryset(IncidentQuerySet)()
    unscoped = models.Manager.from_queryset(IncidentQuerySet)()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        indexes = [models.Index(fields=["unit", "occurred_at"])]
        constraints = [
            # An anonymous report has no link to a person, ever.
            models.CheckConstraint(
                condition=~models.Q(identity_mode="anonymous") | models.Q(reporter__isnull=True),
                name="anonymous_has_no_reporter",
            ),
            # A report registered on someone's behalf always has their consent.
            models.CheckConstraint(
                condition=models.Q(registered_by__isnull=True) | models.Q(consent_recorded=True),
                name="on_behalf_has_consent",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def registered_as_label(self) -> str:
        """The registrar's role in words ("chef"), for a report registered on an employee's behalf."""
        from organisation.models import Role

        return str(dict(Role.choices).get(self.registered_as, "")).lower()

    @property
    def reference(self) -> str:
        return f"V-{self.pk:06d}" if self.pk else "V-?"

    def save(self, *args, **kwargs):
        if self._state.adding and self.identity_mode == self.IdentityMode.ANONYMOUS:
            # Only the hour is stored, so that the time does not seat the
            # report beside its reporter's own actions; the deadline follows
            # from the hour (up to 59 minutes earlier). docs/disclosure.md.
            self.reported_at = to_the_hour(self.reported_at)
        if self.ack_due_at is None:
            self.ack_due_at = ack_deadline(self.reported_at)
        super().save(*args, **kwargs)


def to_the_hour(moment):
    """The hour of `moment`: the only time stored for an anonymous report."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _anonymous(row) -> bool:
    """Whether the incident of `row` (an attachment, a submission) is
    anonymous: from the incident itself when it is at hand (a report being
    filed), else asked of the database."""
    if type(row).incident.is_cached(row):
        return row.incident.identity_mode == Incident.IdentityMode.ANONYMOUS
    return Incident.unscoped.filter(pk=row.incident_id, identity_mode=Incident.IdentityMode.ANONYMOUS).exists()


def ack_deadline(reported_at):
    """When a report must be acknowledged: the configured number of working days later."""
    from incidents.workdays import add_working_days

    return add_working_days(reported_at, settings.ACK_TARGET_WORKING_DAYS)


class Action(models.Model):
    """An åtgärd decided on a case: what, who, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        DONE = "done", _("Klar")
        CANCELLED = "cancelled", _("Struken")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions",
                                 verbose_name=_("ärende"))
    title = models.CharField(_("åtgärd"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_actions", verbose_name=_("ansvarig"))
    due_date = models.DateField(_("klar senast"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    done_at = models.DateTimeField(_("klar"), null=True, blank=True)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


# --- Reporting: attachments, messages, drafts, receipts (issue 4) -------------

def _attachment_path(instance, filename):
    # A random name with no part of the user's file name, so nothing about the
    # evidence can be read from the disk; two hex characters shard the folder.
    name = secrets.token_hex(16)
    return f"attachments/{name[:2]}/{name}"


class Attachment(models.Model):
    """Evidence attached to a report (photo, screenshot, letter). Stored under
    MEDIA_ROOT, served only through the access-checked download view."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments",
                                 verbose_name=_("ärende"))
    file = models.FileField(_("fil"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("filnamn"), max_length=200)
    content_type = models.CharField(_("filtyp"), max_length=60)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    created_at = models.DateTimeField(_("bifogad"), default=timezone.now)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")

    def __str__(self):
        return self.original_name

    def save(self, *args, **kwargs):
        if self._state.adding and _anonymous(self):
            self.created_at = to_the_hour(self.created_at)
        super().save(*args, **kwargs)


class Message(models.Model):
    """One message in the thread between the reporter and the case's handlers.
    An anonymous reporter's messages have no author."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="messages",
                                 verbose_name=_("ärende"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", verbose_name=_("avsändare"))
    by_reporter = models.BooleanField(_("från rapportören"), default=False)
    body = models.TextField(_("meddelande"))
    created_at = models.DateTimeField(_("skickat"), default=timezone.now, db_index=True)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        constraints = [
            # A handler's message always has an author; only the reporter may lack one.
            models.CheckConstraint(condition=models.Q(by_reporter=True) | models.Q(author__isnull=False),
                                   name="handler_message_has_author"),
        ]

    def __str__(self):
        return f"{self.incident.reference} {self.created_at:%Y-%m-%d %H:%M}"


class ReportDraft(models.Model):
    """What a logged-in user has typed into the report form but not sent yet.
    Never used for anonymous reports."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="report_draft", verbose_name=_("användare"))
    data = models.JSONField(_("innehåll"), default=dict)
    updated_at = models.DateTimeField(_("sparat"), auto_now=True)

    class Meta:
        verbose_name = _("utkast")
        verbose_name_plural = _("utkast")

    def __str__(self):
        return f"{self.user} {self.updated_at:%Y-%m-%d %H:%M}"


class Submission(models.Model):
    """The idempotency token of a submitted report form, kept as a keyed hash:
    a retry with the same token returns the same report instead of a new one."""

    token_digest = models.CharField(max_length=64, unique=True)
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="submission")
    created_at = models.DateTimeField(default=timezone.now)

    def save(self, *args, **kwargs):
        if self._state.adding and _anonymous(self):
            self.created_at = to_the_hour(self.created_at)
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("inskickning")
        verbose_name_plural = _("inskickningar")


class ReceiptCode(models.Model):
    """The anonymous reporter's receipt code, as a keyed hash only: the
    database alone cannot reveal the code."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="receipt_code")
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("kvittokod")
        verbose_name_plural = _("kvittokoder")


class ChecklistItem(models.Model):
    """One step of the action plan's follow-up on a case."""

    class Code(models.TextChoices):
        SUPPORT_TALK = "support_talk", _("Stödsamtal med medarbetaren hållet")
        HEALTH_SUPPORT = "health_support", _("Företagshälsovård eller krisstöd erbjudet")
        RISK_ASSESSMENT = "risk_assessment", _("Riskbedömning av arbetssituationen genomgången")
        SAFETY_REP = "safety_rep", _("Skyddsombudet informerat")
        POLICE = "police", _("Beslut om polisanmälan")
        WORK_ENV_AUTHORITY = "work_env_authority", _("Allvarligt tillbud anmält till Arbetsmiljöverket")
        WORK_INJURY = "work_injury", _("Arbetsskada anmäld till Försäkringskassan")

    class State(models.TextChoices):
        OPEN = "open", _("Att göra")
        DONE = "done", _("Klart")
        NOT_APPLICABLE = "not_applicable", _("Ej aktuellt")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist",
                                 verbose_name=_("ärende"))
    code = models.CharField(_("punkt"), max_length=30, choices=Code.choices)
    state = models.CharField(_("läge"), max_length=20, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("datum"), null=True, blank=True)
    reference = models.CharField(_("referens"), max_length=60, blank=True)
    note = models.TextField(_("kommentar eller skäl"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "code"], name="checklist_item_unique")]
        verbose_name = _("uppföljningspunkt")
        verbose_name_plural = _("uppföljningspunkter")

    def __str__(self):
        return self.get_code_display()
