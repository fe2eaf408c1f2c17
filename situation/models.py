"""The running totals behind the situation picture (situation.rollups writes
them, situation.totals reads them).

Three tables:

- Skeleton: one row per incident, the statistical skeleton as the totals
  count it: where (the unit and its ancestors), when (the local day and
  month it happened), what (forms as a bit set, source, area, channel,
  identity mode, the reporter's gender for named and confidential reports,
  threat or violence and police-reported) and how fast (time to
  acknowledgement and to closure in display steps, and in tens of steps),
  and its record key for
  the cell key method (situation.cellkey). No text, no names. It
  is written in the same transaction as the incident; a gallrad (thinned)
  incident keeps its skeleton, frozen, after its personal data is gone.
- PendingChange: an append-only outbox of changes to skeletons (-1 for the
  old state, +1 for the new). Writers only append here, so reports filed at
  the same time never wait for one another on a shared counter row.
- Tally: counts (and sums of record keys) per place (the city and each
  administration), bypass flag, month (the city also per day), dimension
  and value. The pending changes are folded in by
  situation.rollups.compact: moved, not copied, in one transaction, so a
  change is counted exactly once; readers add the few pending changes to
  what the tally holds.

Days and months are stored as proleptic ordinals (date.toordinal(); a month
by its first day), ids of taxonomy terms as integers with 0 for "not given".
"""
from django.db import models
from django.db.models import Q


class Counted(models.Model):
    """The statistical columns of an incident (see the module's text)."""

    unit = models.IntegerField()
    path = models.CharField(max_length=255)
    # Ancestor ids by depth (the city at 0), from the path; None above the depth.
    a0 = models.IntegerField(null=True)
    a1 = models.IntegerField(null=True)
    a2 = models.IntegerField(null=True)
    bypass = models.BooleanField(default=False)
    day = models.IntegerField()
    month = models.IntegerField()
    forms = models.BigIntegerField(default=0)  # bit rollups.form_bit(form id) for each form
    source = models.IntegerField(default=0)
    area = models.IntegerField(default=0)
    channel = models.IntegerField(default=0)
    identity = models.SmallIntegerField()
    gender = models.SmallIntegerField(null=True)  # None: not counted (anonymous)
    tv = models.BooleanField(default=False)  # threat or violence
    reported = models.BooleanField(default=False)  # police-reported (status or K-number)
    ack = models.IntegerField(null=True)  # time to acknowledgement, in steps (rollups.step)
    close = models.IntegerField(null=True)  # time to closure, in steps
    # The same in tens of steps (whole hours below 48 hours, whole days from
    # there): what the tally counts; the steps within one are read from the
    # skeletons (situation.totals).
    ack_c = models.IntegerField(null=True)
    close_c = models.IntegerField(null=True)
    key = models.IntegerField(default=0)  # the incident's record key (situation.cellkey)

    class Meta:
        abstract = True


class Skeleton(Counted):
    incident = models.OneToOneField("incidents.Incident", null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # Kept as it is from now on (gallring): no longer follows the incident's row.
    frozen = models.BooleanField(default=False)
    actor = models.CharField(max_length=64, blank=True)  # the keyed pseudonym, for repeated actors

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="skeleton_day"),
            models.Index(fields=["a1", "day"], name="skeleton_a1_day"),
            models.Index(fields=["a2", "day"], name="skeleton_a2_day"),
            models.Index(fields=["day"], condition=~Q(actor=""), name="skeleton_actor_day"),
            # The steps inside one hour or day of the period (situation.totals),
            # from the index alone for the city and an administration.
            models.Index(fields=["ack_c", "day", "ack", "a1"], name="skeleton_ack_steps"),
            models.Index(fields=["close_c", "day", "close", "a1"], name="skeleton_close_steps"),
        ]


class PendingChange(Counted):
    id = models.BigAutoField(primary_key=True)
    sign = models.SmallIntegerField()


class Tally(models.Model):
    node = models.IntegerField()
    bypass = models.BooleanField()
    grain = models.SmallIntegerField(default=0)  # 0: a month, 1: a day (rollups.MONTH, DAY)
    bucket = models.IntegerField()  # the month's first day or the day, as an ordinal
    dim = models.SmallIntegerField()
    value = models.BigIntegerField()
    n = models.IntegerField(default=0)
    keysum = models.BigIntegerField(default=0)  # sum of the record keys (situation.cellkey)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "bypass", "grain", "bucket", "dim", "value"],
                                               name="tally_key_grain")]
