"""The annual cycle (årshjul): recurring duties, their dated occurrences, the
reminders sent about them, and the training log.

A Duty belongs to an organisation node (a district administration or the
city) and has an owner and a schedule. Its occurrences are generated per year
(see cycle.services.ensure_occurrences) and marked done with a date and a link
or note to what was produced.
"""
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cycle import schedule as sched

# Reminders and the year view call an open occurrence "due soon" this many days ahead.
DUE_SOON_DAYS = 14
# A training session with more participants than this is almost certainly a typo.
MAX_PARTICIPANTS = 500


class Duty(models.Model):
    class Kind(models.TextChoices):
        ACTION_PLAN_REVIEW = "action_plan_review", _("Översyn av handlingsplanen")
        COMMITTEE_REREPORTING = "committee_rereporting", _("Återrapportering till nämnden")
        RISK_ANALYSIS_INPUT = "risk_analysis_input", _("Underlag till risk- och väsentlighetsanalysen")
        TRAINING = "training", _("Utbildning")
        POLICE_MEETING = "police_meeting", _("Samverkansmöte med polisen")
        PREVALENCE_SURVEY = "prevalence_survey", _("Exponeringsenkät")
        EXIT_SURVEY_REVIEW = "exit_survey_review", _("Genomgång av avgångsenkäten")

    class Schedule(models.TextChoices):
        YEARLY = "yearly", _("En gång om året")
        TERTIAL = "tertial", _("Varje tertial")
        CUSTOM = "custom", _("Egna datum")

    title = models.CharField(_("uppgift"), max_length=200)
    description = models.TextField(_("beskrivning"), max_length=2000, blank=True)
    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices)
    node = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT,
                             related_name="cycle_duties", verbose_name=_("gäller för"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="cycle_duties", verbose_name=_("ansvarig"))
    schedule = models.CharField(_("schema"), max_length=10, choices=Schedule.choices)
    # Yearly: month and day. Tertial: the day of the month after the tertial.
    month = models.PositiveSmallIntegerField(
        _("månad"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)])
    day = models.PositiveSmallIntegerField(
        _("dag"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)])
    # Custom: a list of "MM-DD" strings, repeated every year.
    custom_days = models.JSONField(_("egna datum"), default=list, blank=True)
    # No occurrences are generated before this day, so a duty added in June does
    # not report the spring's duties as overdue.
    starts_on = models.DateField(_("gäller från"), default=timezone.localdate)
    active = models.BooleanField(_("aktiv"), default=True)
    # Set on the city's standard duties (cycle.standard) so seeding is idempotent.
    standard_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        ordering = ["node__path", "title"]
        verbose_name = _("återkommande uppgift")
        verbose_name_plural = _("återkommande uppgifter")
        constraints = [
            models.UniqueConstraint(fields=["node", "standard_key"], condition=~Q(standard_key=""),
                                    name="cycle_duty_standard_once"),
        ]

    def __str__(self):
        return self.title

    def slots(self, year: int) -> list[sched.Slot]:
        """The occurrences due in `year` according to the schedule."""
        if self.schedule == self.Schedule.YEARLY and self.month and self.day:
            slots = sched.yearly_slots(year, self.month, self.day)
        elif self.schedule == self.Schedule.TERTIAL and self.day:
            slots = sched.tertial_slots(year, self.day)
        elif self.schedule == self.Schedule.CUSTOM and self.custom_days:
            slots = sched.custom_slots(year, self.custom_days)
        else:
            slots = []
        return [s for s in slots if s.due_date >= self.starts_on]

    @property
    def schedule_text(self) -> str:
        from django.utils.formats import date_format
        if self.schedule == self.Schedule.YEARLY and self.month and self.day:
            return _("Varje år den %(day)s") % {
                "day": date_format(sched.clamp_date(2024, self.month, self.day), "j F")}
        if self.schedule == self.Schedule.TERTIAL and self.day:
            return _("Varje tertial, den %(day)s i månaden efter") % {"day": self.day}
        if self.schedule == self.Schedule.CUSTOM and self.custom_days:
            return _("Varje år: %(days)s") % {"days": sched.format_month_days(self.custom_days)}
        return _("Inget schema")


class DutyOccurrence(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Ej klar")
        DONE = "done", _("Klar")

    # What the year view shows: the stored status and the date together.
    class State(models.TextChoices):
        DONE = "done", _("Klar")
        OVERDUE = "overdue", _("Försenad")
        DUE_SOON = "due_soon", _("Förfaller snart")
        UPCOMING = "upcoming", _("Planerad")

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="occurrences",
                             verbose_name=_("uppgift"))
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"))
    due_date = models.DateField(_("förfaller"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateField(_("klar datum"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("klarmarkerad av"))
    result_url = models.URLField(_("länk till det som togs fram"), max_length=500, blank=True)
    result_note = models.TextField(_("anteckning"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        ordering = ["due_date", "duty__title", "pk"]
        verbose_name = _("tillfälle")
        verbose_name_plural = _("tillfällen")
        constraints = [
            models.UniqueConstraint(fields=["duty", "period_start"], name="cycle_occurrence_once"),
        ]

    def __str__(self):
        return f"{self.duty.title} ({self.period_label})"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    def state(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.is_done:
            return self.State.DONE
        if self.due_date < today:
            return self.State.OVERDUE
        if self.due_date <= today + timedelta(days=DUE_SOON_DAYS):
            return self.State.DUE_SOON
        return self.State.UPCOMING

    def state_label(self, today=None) -> str:
        return self.State(self.state(today)).label

    @property
    def period_code(self) -> str:
        return sched.period_code(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        from django.utils.formats import date_format
        start, end = self.period_start, self.period_end
        if sched.is_whole_year(start, end):
            return str(start.year)
        number = sched.tertial_number(start, end)
        if number:
            return _("T%(n)s %(year)s (%(months)s)") % {
                "n": number, "year": start.year,
                "months": f"{date_format(start, 'F')}–{date_format(end, 'F')}"}
        if start == end:
            return date_format(start, "j F Y")
        return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"

    @property
    def short_period(self) -> str:
        """ "2026" or "T1 2026"; empty for a single day (the due date says it all)."""
        start, end = self.period_start, self.period_end
        if start == end:
            return ""
        number = sched.tertial_number(start, end)
        return f"T{number} {start.year}" if number else str(self.period_label)

    @property
    def is_rereporting(self) -> bool:
        return self.duty.kind == Duty.Kind.COMMITTEE_REREPORTING


class TrainingSession(models.Model):
    """A training session held for one unit: an information visit to the
    unit's workplace meeting (APT) or a lärstudio session."""

    class Kind(models.TextChoices):
        APT = "apt", _("Informationsbesök på APT")
        LARSTUDIO = "larstudio", _("Lärstudio")
        OTHER = "other", _("Annan utbildning")

    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT,
                             related_name="training_sessions", verbose_name=_("enhet"))
    date = models.DateField(_("datum"))
    kind = models.CharField(_("typ av utbildning"), max_length=20, choices=Kind.choices)
    participants = models.PositiveIntegerField(
        _("antal deltagare"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTICIPANTS)])
    note = models.TextField(_("anteckning"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrerad av"))
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        ordering = ["-date", "unit__name", "-pk"]
        indexes = [models.Index(fields=["unit", "date"], name="cycle_training_unit_date")]
        verbose_name = _("utbildningstillfälle")
        verbose_name_plural = _("utbildningslogg")

    def __str__(self):
        return f"{self.get_kind_display()} – {self.unit} – {self.date}"
