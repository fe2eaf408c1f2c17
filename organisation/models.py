"""The city's organisation tree, its people and the roles they hold.

A role assignment sits at one node and covers that node's whole subtree. The
tree keeps a materialised path ("/1/4/17/") so that "everything below this
node" is one indexed prefix match.
"""
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# --- shared vocabularies ------------------------------------------------------

class TaxonomyTerm(models.Model):
    code = models.SlugField(_("kod"), max_length=40, unique=True)
    label = models.CharField(_("benämning"), max_length=120)
    label_en = models.CharField(_("benämning (engelska)"), max_length=120, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordning"), default=100)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.label_en:
            return self.label_en
        return self.label

    @property
    def text(self) -> str:
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if stored is not None and stored != self.code:
                raise ValidationError(_("Koden kan inte ändras; statistiken bygger på den."))
        super().save(*args, **kwargs)


class OperationArea(TaxonomyTerm):
    """The line of business a unit works in (ekonomiskt bistånd, barn och unga, …)."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("verksamhetsområde")
        verbose_name_plural = _("verksamhetsområden")



class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Medarbetare")
    MANAGER = "manager", _("Chef")
    SECURITY_COORDINATOR = "security", _("Säkerhetssamordnare")
    HR = "hr", _("HR")
    SAFETY_REP = "safety_rep", _("Skyddsombud")
    ANALYST = "analyst", _("Analytiker")
    COMMITTEE = "committee", _("Nämnd/ledning")
    AUDITOR = "auditor", _("Revisor")
    ADMIN = "admin", _("Administratör")
    # Sets the retention schedule and sees what gallring removes and has
    # removed (counts only); reads no case (docs/retention.md).
    ARCHIVIST = "archivist", _("Arkivarie")


# Sent inside OrgUnit.save's transaction when a node moved in the tree (its
# path and its subtree's paths changed): old_path, new_path. What is counted
# per place in the tree (the statistics' running totals) moves with it.
subtree_moved = Signal()


class OrgUnitQuerySet(models.QuerySet):
    def subtree_of(self, node: "OrgUnit"):
        return self.filter(path__startswith=node.path)


code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    _("Koden får bara innehålla bokstäverna A–Z, siffror, punkt, bindestreck och understreck."),
)


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("Stad/kommun")
        ADMINISTRATION = "administration", _("Förvaltning")
        DEPARTMENT = "department", _("Avdelning")
        UNIT = "unit", _("Enhet")

    # Depth order of kinds: a child is always of a deeper kind than its parent.
    KIND_DEPTH = {Kind.CITY: 0, Kind.ADMINISTRATION: 1, Kind.DEPARTMENT: 2, Kind.UNIT: 3}

    code = models.CharField(_("kod"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("överordnad"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    operation_area = models.ForeignKey(
        OperationArea, verbose_name=_("verksamhetsområde"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    active = models.BooleanField(_("aktiv"), default=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisatorisk enhet")
        verbose_name_plural = _("organisationsträd")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id:
            if self.pk and self.parent.path.startswith(self.path or "\0"):
                raise ValidationError({"parent": _("En enhet kan inte ligga under sig själv.")})
            if self.KIND_DEPTH[self.kind] <= self.KIND_DEPTH[self.parent.kind]:
                raise ValidationError(
                    {"kind": _("En %(child)s kan inte ligga under en %(parent)s.")
                     % {"child": self.get_kind_display().lower(),
                        "parent": self.parent.get_kind_display().lower()}}
                )
        elif self.kind != self.Kind.CITY:
            raise ValidationError({"parent": _("Bara staden/kommunen saknar överordnad.")})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)
            new_path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
            if new_path != old_path:
                OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
                self.path = new_path
                if old_path:
                    for node in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                        OrgUnit.objects.filter(pk=node.pk).update(
                            path=new_path + node.path[len(old_path):]
                        )
                    subtree_moved.send(sender=OrgUnit, old_path=old_path, new_path=new_path)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1]]
        return OrgUnit.objects.filter(pk__in=ids).order_by("path")

    def administration(self):
        """The förvaltning (district administration) this node belongs to, if any."""
        if self.kind == self.Kind.ADMINISTRATION:
            return self
        return self.ancestors().filter(kind=self.Kind.ADMINISTRATION).first()

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class Headcount(models.Model):
    """Number of employees of a unit in a year; the denominator for rates."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="headcounts",
                             verbose_name=_("enhet"))
    year = models.PositiveSmallIntegerField(_("år"))
    employees = models.PositiveIntegerField(_("antal anställda"))
    women = models.PositiveIntegerField(_("varav kvinnor"), null=True, blank=True)
    men = models.PositiveIntegerField(_("varav män"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="headcount_unit_year")]
        ordering = ["unit", "-year"]
        verbose_name = _("antal anställda")
        verbose_name_plural = _("antal anställda per år")

    def __str__(self):
        return f"{self.unit} {self.year}: {self.employees}"

    def clean(self):
        if self.women is not None and self.men is not None and self.women + self.men > self.employees:
            raise ValidationError(_("Kvinnor och män kan inte vara fler än antalet anställda."))


class User(AbstractUser):
    class Gender(models.TextChoices):
        WOMAN = "woman", _("Kvinna")
        MAN = "man", _("Man")
        OTHER = "other", _("Annat")
        UNKNOWN = "", _("Ej angivet")

    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices, blank=True, default="")
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    # From the HR system (import_people) or the identity provider's claims.
    employee_number = models.CharField(_("anställningsnummer"), max_length=40, unique=True, null=True,
                                       blank=True)
    # The identity provider's stable subject ("sub"); the account is matched on it.
    oidc_subject = models.CharField(_("id hos identitetsleverantören"), max_length=255, unique=True,
                                    null=True, blank=True, editable=False)
    manager = models.ForeignKey("self", verbose_name=_("chef"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="reports")
    employment_end = models.DateField(_("anställningen upphör"), null=True, blank=True)

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self):
        return self.get_full_name() or self.username

    def delete(self, *args, **kwargs):
        # Users are deactivated, never deleted, so that history keeps resolving.
        raise ValidationError(_("Användare tas inte bort, de inaktiveras."))

    def active_assignments(self):
        return self.assignments.filter(active=True).select_related("node")

    def assignment_rows(self) -> list[tuple[str, str]]:
        """(role, node path) of the user's active assignments on active nodes,
        read once per request object; the access module builds on it."""
        if not hasattr(self, "_assignment_rows"):
            self._assignment_rows = list(
                self.assignments.filter(active=True, node__active=True).values_list("role", "node__path"))
        return self._assignment_rows

    @staticmethod
    def load_assignment_rows(users) -> None:
        """assignment_rows for many users in one query (those not read yet)."""
        pending: dict[int, list] = {}
        for user in users:
            if not hasattr(user, "_assignment_rows"):
                pending.setdefault(user.pk, []).append(user)
        if not pending:
            return
        rows: dict[int, list] = {pk: [] for pk in pending}
        for user_id, role, path in (RoleAssignment.objects
                                    .filter(user__in=list(pending), active=True, node__active=True)
                                    .values_list("user_id", "role", "node__path")):
            rows[user_id].append((role, path))
        for pk, same in pending.items():
            for user in same:
                user._assignment_rows = list(rows[pk])

    def roles(self) -> set[str]:
        return {role for role, _path in self.assignment_rows()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


class RoleAssignment(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Manuellt")
        IDP = "idp", _("Grupp hos identitetsleverantören")
        HR = "hr", _("HR-system")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("användare"))
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    node = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("gäller för"))
    active = models.BooleanField(_("aktiv"), default=True)
    # Who keeps the row up to date: sign-in (group mapping) and import_people
    # only ever change the rows of their own source; manual rows are the admin's.
    source = models.CharField(_("källa"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "node"], name="assignment_unique")
        ]
        verbose_name = _("rolltilldelning")
        verbose_name_plural = _("rolltilldelningar")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.node}"


class GroupRoleMapping(models.Model):
    """A group of the identity provider (a claim value such as
    "SOC-Norr-Sakerhet") gives a Värn role at an organisation node. Sign-in
    grants the mapped roles and removes the ones whose group no longer maps."""

    group = models.CharField(_("grupp"), max_length=255,
                             help_text=_("Gruppens namn eller id exakt som det står i inloggningens gruppanspråk."))
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    node = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="group_mappings",
                             verbose_name=_("gäller för"))
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "role", "node"], name="group_mapping_unique")
        ]
        ordering = ["group", "role"]
        verbose_name = _("gruppkoppling")
        verbose_name_plural = _("gruppkopplingar (inloggning)")

    def __str__(self):
        return f"{self.group} → {self.get_role_display()} – {self.node}"
