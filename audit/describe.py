"""The audit log in words, for the auditor's page and export.

describe(entries, viewer) turns stored entries into Lines: who (masked as
incidents.access.masked_actor decides), what kind of event (a short label and
its group), which case, one Swedish sentence ("Johan Ekström kvitterade
ärendet V-000123.") and the changes as phrases ("Ändrade status från
Inkommen till Mottagen"). Values are shown as the user saw them: choice
labels, people by name, organisation units by name, taxonomy terms by label,
dates in Swedish.

What an auditor does not read here is the case's own text: the description,
messages, free-text notes, an action's wording, file names, the actor
pseudonym. For those fields the phrase says that they were written or
changed, never what they say. A field the describer does not know is treated
the same way, so a new kind of entry cannot leak text by default.

Names are looked up in a few queries per batch of entries, never one per
entry.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from urllib.parse import parse_qsl

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import ANONYMOUS_REPORTER, SYSTEM, is_protected
from incidents import access
from incidents.models import ChecklistItem, ScopedManager
from organisation.models import OrgUnit, TaxonomyTerm, User

CONFIDENTIAL_REPORTER = "konfidentiell rapportör"  # what access.masked_actor returns

# --- kinds and groups ---------------------------------------------------------

GROUPS = [
    ("lasning", gettext_lazy("Läsningar")),
    ("rapport", gettext_lazy("Rapporter")),
    ("handlaggning", gettext_lazy("Handläggning")),
    ("uppfoljning", gettext_lazy("Uppföljning")),
    ("atgard", gettext_lazy("Åtgärder")),
    ("stod", gettext_lazy("Stöd till medarbetaren")),
    ("meddelande", gettext_lazy("Meddelanden")),
    ("export", gettext_lazy("Exporter")),
    ("arshjul", gettext_lazy("Årshjulet")),
    ("kunskap", gettext_lazy("Kunskapsbanken")),
    ("styrning", gettext_lazy("Handlingsplan, riskanalys och tertialrapport")),
    ("gallring", gettext_lazy("Gallring och registerutdrag")),
    ("polis", gettext_lazy("Polissamverkan")),
    ("admin", gettext_lazy("Administration")),
    ("ovrigt", gettext_lazy("Övrigt")),
]
GROUP_LABELS = dict(GROUPS)

KIND_LABELS = {
    "incident.view": gettext_lazy("Öppnade ärendet"),
    "attachment.download": gettext_lazy("Laddade ner en bilaga"),
    "incident.create": gettext_lazy("Ny rapport"),
    "incident.acknowledge": gettext_lazy("Kvittens"),
    "incident.investigate": gettext_lazy("Utredning påbörjad"),
    "incident.resolve": gettext_lazy("Markerat som åtgärdat"),
    "incident.close": gettext_lazy("Avslut"),
    "incident.reopen": gettext_lazy("Öppnat igen"),
    "incident.reopen_reason": gettext_lazy("Skäl till att öppna igen"),
    "incident.assign": gettext_lazy("Tilldelning"),
    "incident.police": gettext_lazy("Polisanmälan"),
    "incident.actor": gettext_lazy("Aktör"),
    "incident.reveal": gettext_lazy("Rapportören visade vem hen är"),
    "incident.change": gettext_lazy("Ändring i ärendet"),
    "action.create": gettext_lazy("Ny åtgärd"),
    "action.change": gettext_lazy("Ändrad åtgärd"),
    "message.create": gettext_lazy("Meddelande"),
    "support.start": gettext_lazy("Stödspår startat"),
    "support.step.first_talk": gettext_lazy("Stöd: första stödsamtalet"),
    "support.step.week": gettext_lazy("Stöd: uppföljning efter en vecka"),
    "support.step.month": gettext_lazy("Stöd: uppföljning efter en månad"),
    "support.step.quarter": gettext_lazy("Stöd: uppföljning efter tre månader"),
    "support.offer": gettext_lazy("Stöd erbjudet"),
    "support.end": gettext_lazy("Stödspår avslutat i förtid"),
    "support.done": gettext_lazy("Stödspår klart"),
    "protection.create": gettext_lazy("Ny skyddsåtgärd"),
    "protection.change": gettext_lazy("Ändrad skyddsåtgärd"),
    "protection.view": gettext_lazy("Öppnade en skyddsåtgärd"),
    "situation.export": gettext_lazy("Export av lägesbilden"),
    "audit.export": gettext_lazy("Export av granskningsloggen"),
    "cycle.duty.created": gettext_lazy("Ny återkommande uppgift"),
    "cycle.duty.changed": gettext_lazy("Ändrad återkommande uppgift"),
    "cycle.occurrence.done": gettext_lazy("Tillfälle klart"),
    "cycle.occurrence.changed": gettext_lazy("Ändrat klart tillfälle"),
    "cycle.occurrence.reopened": gettext_lazy("Tillfälle öppnat igen"),
    "cycle.training.created": gettext_lazy("Nytt utbildningstillfälle"),
    "cycle.training.changed": gettext_lazy("Ändrat utbildningstillfälle"),
    "knowledge.article.create": gettext_lazy("Ny artikel"),
    "knowledge.article.update": gettext_lazy("Ändrad artikel"),
    "retention.thin": gettext_lazy("Gallrat ärende"),
    "retention.run": gettext_lazy("Gallringskörning"),
    "retention.rule.change": gettext_lazy("Ändrad gallringsregel"),
    "retention.hold.place": gettext_lazy("Bevarande"),
    "retention.hold.lift": gettext_lazy("Bevarande hävt"),
    "police.outcome": gettext_lazy("Utfall av polisanmälan"),
    "police.outcome.remove": gettext_lazy("Borttaget utfall av polisanmälan"),
    "police.followup": gettext_lazy("Medarbetarens roll i polisärendet"),
    "police.agreement.create": gettext_lazy("Ny samverkansöverenskommelse"),
    "police.agreement.change": gettext_lazy("Ändrad samverkansöverenskommelse"),
    "police.agreement.download": gettext_lazy("Laddade ner en samverkansöverenskommelse"),
    "police.meeting.create": gettext_lazy("Nytt samverkansmöte"),
    "police.meeting.notes": gettext_lazy("Anteckningar från samverkansmöte"),
    "police.meeting.pack": gettext_lazy("Underlag till samverkansmöte"),
    "police.measure.create": gettext_lazy("Ny åtgärd från samverkan"),
    "police.measure.change": gettext_lazy("Ändrad åtgärd från samverkan"),
    "retention.extract": gettext_lazy("Registerutdrag"),
    "audit.checkpoint": gettext_lazy("Omförankring av loggen"),
    "plan.draft": gettext_lazy("Nytt utkast till handlingsplan"),
    "plan.header": gettext_lazy("Ändrad rubrik eller inledning i handlingsplan"),
    "plan.measure.add": gettext_lazy("Ny åtgärd i handlingsplan"),
    "plan.measure.change": gettext_lazy("Ändrad åtgärd i handlingsplan"),
    "plan.measure.delete": gettext_lazy("Borttagen åtgärd i handlingsplan"),
    "plan.approve": gettext_lazy("Handlingsplan godkänd"),
    "plan.discard": gettext_lazy("Utkast till handlingsplan borttaget"),
    "plan.review": gettext_lazy("Översyn av handlingsplanen registrerad"),
    "risk.register": gettext_lazy("Nytt riskregister"),
    "risk.create": gettext_lazy("Ny risk"),
    "risk.assess": gettext_lazy("Riskbedömning"),
    "risk.evidence": gettext_lazy("Underlag från lägesbilden till risk"),
    "risk.action.add": gettext_lazy("Ny åtgärd mot risk"),
    "risk.action.status": gettext_lazy("Ändrat läge för åtgärd mot risk"),
    "tertial.create": gettext_lazy("Ny tertialrapport"),
    "tertial.change": gettext_lazy("Ändrad tertialrapport"),
    "tertial.approve": gettext_lazy("Tertialrapport godkänd"),
    "audit.prune": gettext_lazy("Gallring av loggen"),
}
READS = {"incident.view", "attachment.download", "protection.view"}
CASE_PREFIXES = {"incident", "action", "message", "checklist", "attachment", "support", "protection"}


def _admin_model(action: str):
    """The model an admin entry ("user.change", "orgunit.create") is about, or None."""
    prefix, _dot, verb = action.partition(".")
    if verb not in ("create", "change") or prefix in CASE_PREFIXES:
        return None
    return _models_by_name().get(prefix)


@cache
def _models_by_name() -> dict:
    return {m._meta.model_name: m for m in apps.get_models()}


def group_of(action: str) -> str:
    if action in READS:
        return "lasning"
    if action == "incident.create":
        return "rapport"
    if action.endswith(".export"):
        return "export"
    if action.startswith("retention.") or action in ("audit.checkpoint", "audit.prune"):
        return "gallring"
    prefix = action.split(".", 1)[0]
    by_prefix = {"incident": "handlaggning", "checklist": "uppfoljning", "action": "atgard",
                 "message": "meddelande", "protection": "handlaggning", "cycle": "arshjul", "knowledge": "kunskap", "police": "polis", "support": "stod",
                 "plan": "styrning", "risk": "styrning", "tertial": "styrning"}
    if prefix in by_prefix:
        return by_prefix[prefix]
    if _admin_model(action) is not None:
        return "admin"
    return "ovrigt"


def kind_label(action: str) -> str:
    if action in KIND_LABELS:
        return str(KIND_LABELS[action])
    prefix, _dot, rest = action.partition(".")
    if prefix == "checklist" and rest in ChecklistItem.Code.values:
        return _("Uppföljning: %(item)s") % {"item": ChecklistItem.Code(rest).label}
    model = _admin_model(action)
    if model is not None:
        name = _cap(str(model._meta.verbose_name))
        return (_("%(model)s – ny") if rest == "create" else _("%(model)s – ändrad")) % {"model": name}
    return action


def kind_choices(actions) -> list:
    """Grouped choices for the filter: per group "all of the group", then
    each kind in it, labelled in Swedish."""
    by_group = defaultdict(set)
    for action in actions:
        by_group[group_of(action)].add(action)
    choices = []
    for key, label in GROUPS:
        kinds = sorted(by_group.get(key, ()), key=kind_label)
        if not kinds:
            continue
        options = [(f"grupp:{key}", _("Alla: %(group)s") % {"group": label})]
        options += [(code, kind_label(code)) for code in kinds]
        choices.append((str(label), options))
    return choices


def known_kinds() -> set[str]:
    """Kinds the application writes, whether or not the log has one yet."""
    return set(KIND_LABELS) | {f"checklist.{code}" for code in ChecklistItem.Code.values}


# --- the result ---------------------------------------------------------------

@dataclass
class Line:
    id: int
    at: datetime
    actor: str           # who did it, as the viewer may know it
    person: str          # a name to filter on; "" when the actor is masked or not a person
    action: str
    kind: str
    group: str
    case: str            # "V-000123" or ""
    sentence: str
    details: list[str] = field(default_factory=list)


def describe(entries, viewer) -> list[Line]:
    entries = list(entries)
    hidden = access.reporters_hidden_from(viewer, {e.incident_id for e in entries if e.incident_id})
    words = _Words(hidden)
    for entry in entries:
        words.collect(entry)
    words.load()
    return [words.line(entry, viewer) for entry in entries]


# --- values -------------------------------------------------------------------

# Fields that carry a case's own text (or something that identifies a
# person outside the case's parties) beside every TextField: shown as
# "changed", never with their value.
HIDDEN_FIELDS = {
    "incidents.incident": {"location", "actor_pseudonym"},
    "incidents.action": {"title"},
    "incidents.attachment": {"original_name"},
}
# Entries write a few keys that are not model fields.
EXTRA_FIELDS = {
    "reason": (gettext_lazy("skäl"), "text"),
    "attachments": (gettext_lazy("bilagor"), "files"),
    "by_reporter": (gettext_lazy("från rapportören"), "bool"),
}
EMPTY = "–"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _field(model, name):
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a name that is not a field
        return None
    # A reverse relation (incident.messages) is not a field an entry changes.
    return None if found.auto_created and not found.concrete else found


def _field_kind(model, name) -> tuple[str, str, object]:
    """(label, kind, target model) of a key in an entry's changes."""
    model_field = _field(model, name)
    if model_field is None:
        if name in EXTRA_FIELDS:
            label, kind = EXTRA_FIELDS[name]
            return str(label), kind, None
        return name.replace("_", " "), "unknown", None
    label = str(model_field.verbose_name)
    if name in HIDDEN_FIELDS.get(model._meta.label_lower, ()) or isinstance(model_field, models.TextField):
        return label, "text", None
    if model_field.is_relation:
        target = model_field.related_model
        if isinstance(target._default_manager, ScopedManager):
            return label, "unknown", None  # rows of a case: never looked up here
        return label, "many" if model_field.many_to_many else "one", target
    if model_field.choices:
        return label, "choice", model_field
    if isinstance(model_field, models.BooleanField):
        return label, "bool", None
    if isinstance(model_field, models.DateTimeField):
        return label, "datetime", None
    if isinstance(model_field, models.DateField):
        return label, "date", None
    if isinstance(model_field, (models.CharField, models.IntegerField, models.DecimalField,
                                models.FloatField, models.JSONField)):
        return label, "plain", None
    return label, "unknown", None


def _field_order(model, name) -> tuple[int, str]:
    """Changes in the order of the model's fields (the form's order), not alphabetical."""
    model_field = _field(model, name)
    if model_field is not None and hasattr(model_field, "creation_counter"):
        return model_field.creation_counter, name
    return 1_000_000, name


def _ids(value) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [int(v) for v in values if isinstance(v, (int, str)) and str(v).isdigit() and len(str(v)) < 12]


def _when(value, fmt) -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value) if fmt == "datetime" else parse_date(value[:10])
        except ValueError:
            moment = None
        if moment is None:
            return value
    elif isinstance(value, date):
        moment = value
    else:
        return str(value)
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "j F Y H:i") if fmt == "datetime" else date_format(moment, "j F Y")
    return date_format(moment, "j F Y")


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Words:
    """Collects what the entries refer to, loads it in bulk, then writes."""

    def __init__(self, hidden: set[int]):
        self.hidden = hidden  # incidents whose reporter the viewer may not know
        self.wanted = defaultdict(set)
        self.objects = {}

    # --- phase 1: what to look up
    def _model(self, entry):
        if not entry.object_type:
            return None
        try:
            return apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            return None

    def collect(self, entry):
        model = self._model(entry)
        if model is not None and not isinstance(model._default_manager, ScopedManager):
            for pk in _ids(entry.object_id):
                self.wanted[model].add(pk)
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, pair in changes.items():
            _label, kind, target = _field_kind(model, name)
            if kind in ("one", "many") and isinstance(pair, list):
                for value in pair:
                    for pk in _ids(value):
                        self.wanted[target].add(pk)

    def load(self):
        related = {
            "dutyoccurrence": ["duty"], "trainingsession": ["unit"], "roleassignment": ["user", "node"],
            "headcount": ["unit"], "duty": ["node"],
        }
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if related.get(model._meta.model_name):
                qs = qs.select_related(*related[model._meta.model_name])
            self.objects[model] = {obj.pk: obj for obj in qs}

    def get(self, model, pk):
        ids = _ids(pk)
        return self.objects.get(model, {}).get(ids[0]) if ids else None

    # --- phase 2: words
    def name(self, model, pk, incident=None) -> str:
        obj = self.get(model, pk)
        if obj is None:
            return _("nr %(id)s") % {"id": pk}
        if isinstance(obj, User):
            if (incident is not None and incident.pk in self.hidden and obj.pk == incident.reporter_id):
                return _("konfidentiell rapportör")
            return obj.get_full_name() or obj.username
        if isinstance(obj, (OrgUnit, TaxonomyTerm)):
            return obj.name
        return str(obj)

    def value(self, kind, target, value, incident) -> str:
        if _is_empty(value):
            return EMPTY
        if kind == "one":
            return self.name(target, value, incident)
        if kind == "many":
            names = [self.name(target, v, incident) for v in (value if isinstance(value, list) else [value])]
            return ", ".join(sorted(names)) or EMPTY
        if kind == "choice":
            try:
                return str(dict(target.flatchoices).get(value, value))
            except TypeError:  # not a stored choice at all (an unhashable value)
                return str(value)
        if kind == "bool":
            return _("ja") if value else _("nej")
        if kind in ("date", "datetime"):
            return _when(value, kind)
        if kind == "files":
            n = len(value) if isinstance(value, list) else 1
            return _("%(n)s fil") % {"n": n} if n == 1 else _("%(n)s filer") % {"n": n}
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def phrases(self, entry, model, *, created: bool, skip=()) -> list[str]:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        out = []
        for name, pair in sorted(changes.items(), key=lambda item: _field_order(model, item[0])):
            if name in skip or not (isinstance(pair, list) and len(pair) == 2):
                continue
            old, new = pair
            label, kind, target = _field_kind(model, name)
            if kind != "files" and (is_protected(old) or is_protected(new)):
                kind = "text"  # stored as keyed hash and length (audit.log.protect)
            if created:
                if _is_empty(new) or (kind == "bool" and new is False):
                    continue
                if kind in ("text", "unknown"):
                    out.append(_("%(field)s: (texten visas inte)") % {"field": _cap(label)})
                else:
                    out.append(_("%(field)s: %(value)s") % {
                        "field": _cap(label), "value": self.value(kind, target, new, entry.incident)})
                continue
            if kind in ("text", "unknown"):
                if _is_empty(old):
                    out.append(_("Skrev %(field)s (texten visas inte)") % {"field": label})
                elif _is_empty(new):
                    out.append(_("Tömde %(field)s") % {"field": label})
                else:
                    out.append(_("Ändrade %(field)s (texten visas inte)") % {"field": label})
                continue
            old_text = self.value(kind, target, old, entry.incident)
            new_text = self.value(kind, target, new, entry.incident)
            if _is_empty(old):
                out.append(_("Satte %(field)s till %(new)s") % {"field": label, "new": new_text})
            elif _is_empty(new):
                out.append(_("Tog bort %(field)s (var %(old)s)") % {"field": label, "old": old_text})
            else:
                out.append(_("Ändrade %(field)s från %(old)s till %(new)s") % {
                    "field": label, "old": old_text, "new": new_text})
        return out

    def actor(self, entry, viewer) -> tuple[str, str]:
        label = access.masked_actor(entry, viewer, hidden=self.hidden)
        if label == CONFIDENTIAL_REPORTER:
            return _("Konfidentiell rapportör"), ""
        if entry.actor_id is None:
            if label == ANONYMOUS_REPORTER:
                return _("Anonym rapportör"), ""
            if label == SYSTEM or not label:
                return _("Systemet"), ""
            return label, label
        return label, label

    def line(self, entry, viewer) -> Line:
        who, person = self.actor(entry, viewer)
        case = entry.incident.reference if entry.incident_id else ""
        sentence, details = _Sentence(self, entry, who, case).write()
        return Line(id=entry.id, at=entry.at, actor=who, person=person, action=entry.action,
                    kind=kind_label(entry.action), group=str(GROUP_LABELS[group_of(entry.action)]),
                    case=case, sentence=sentence, details=details)


class _Sentence:
    """One entry's sentence and details."""

    def __init__(self, words: _Words, entry, who: str, case: str):
        self.words, self.entry, self.who, self.case = words, entry, who, case
        self.model = words._model(entry)
        self.changes = entry.changes if isinstance(entry.changes, dict) else {}

    def say(self, text, **params) -> str:
        return _cap((text % {"actor": self.who, "case": self.case, **params}).strip()) + "."

    def new(self, name):
        pair = self.changes.get(name)
        return pair[1] if isinstance(pair, list) and len(pair) == 2 else None

    def hidden_keys(self) -> set:
        return {name for name in self.changes if _field_kind(self.model, name)[1] in ("text", "unknown")}

    def details(self, created=False, skip=()):
        return self.words.phrases(self.entry, self.model, created=created, skip=skip)

    @cached_property
    def obj(self):
        if self.model is None:
            return None
        return self.words.get(self.model, self.entry.object_id)

    def obj_name(self) -> str:
        # The name the entry itself recorded, if it set one: the object may have been renamed since.
        for key in ("title", "name"):
            recorded = self.new(key)
            if isinstance(recorded, str) and recorded.strip() and key not in self.hidden_keys():
                return recorded
        obj = self.obj
        if obj is None:
            return _("nr %(id)s") % {"id": self.entry.object_id or "?"}
        if isinstance(obj, User):
            return obj.get_full_name() or obj.username
        if isinstance(obj, (OrgUnit, TaxonomyTerm)):
            return obj.name
        return str(obj)

    def write(self) -> tuple[str, list[str]]:
        action = self.entry.action
        method = getattr(self, "_" + action.replace(".", "_"), None)
        if method is not None:
            return method()
        prefix, _dot, rest = action.partition(".")
        if prefix == "checklist":
            return self._checklist(rest)
        if prefix == "support":
            return self._support()
        if prefix == "incident" and self.case:
            return self._incident_other()
        if _admin_model(action) is not None:
            return self._admin(rest == "create")
        return self._unknown()

    # --- reads
    def _incident_view(self):
        return self.say(_("%(actor)s öppnade ärendet %(case)s")), []

    def _attachment_download(self):
        return self.say(_("%(actor)s laddade ner bilaga nr %(id)s i ärendet %(case)s"),
                        id=self.entry.object_id), []

    # --- the report and its handling
    def _incident_create(self):
        if self.new("registered_by"):
            return (self.say(_("%(actor)s registrerade rapporten %(case)s åt en medarbetare, med medarbetarens samtycke")),
                    self.details(created=True))
        return self.say(_("%(actor)s skickade in rapporten %(case)s")), self.details(created=True)

    def _incident_acknowledge(self):
        return self.say(_("%(actor)s kvitterade att rapporten %(case)s är mottagen")), self.details()

    def _incident_investigate(self):
        return self.say(_("%(actor)s började utreda ärendet %(case)s")), self.details()

    def _incident_resolve(self):
        return self.say(_("%(actor)s markerade ärendet %(case)s som åtgärdat")), self.details()

    def _incident_close(self):
        return self.say(_("%(actor)s avslutade ärendet %(case)s")), self.details()

    def _incident_reopen(self):
        return self.say(_("%(actor)s öppnade ärendet %(case)s igen")), self.details()

    def _incident_reopen_reason(self):
        return self.say(_("%(actor)s skrev varför ärendet %(case)s öppnades igen (texten visas inte)")), []

    def _incident_assign(self):
        handler = self.new("assigned_to")
        if _is_empty(handler):
            return self.say(_("%(actor)s tog bort handläggaren från ärendet %(case)s")), self.details()
        name = self.words.name(User, handler, self.entry.incident)
        return self.say(_("%(actor)s tilldelade ärendet %(case)s till %(handler)s"), handler=name), self.details()

    def _incident_police(self):
        return self.say(_("%(actor)s förde in polisanmälan i ärendet %(case)s")), self.details()

    def _incident_actor(self):
        pair = self.changes.get("actor_pseudonym") or [None, None]
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, None)
        if _is_empty(old):
            text = _("%(actor)s kopplade ärendet %(case)s till en återkommande aktör (som pseudonym)")
        elif _is_empty(new):
            text = _("%(actor)s tog bort kopplingen till en återkommande aktör i ärendet %(case)s")
        else:
            text = _("%(actor)s bytte återkommande aktör i ärendet %(case)s")
        return self.say(text), []

    def _incident_reveal(self):
        return self.say(_("%(actor)s valde att visa vem hen är i den anonyma rapporten %(case)s")), []

    def _incident_other(self):
        details = self.details()
        if len(details) == 1:
            # One change: the sentence is the change ("… ändrade status från Inkommen till Mottagen …").
            phrase = details[0][:1].lower() + details[0][1:]
            return self.say(_("%(actor)s %(change)s i ärendet %(case)s"), change=phrase), []
        return self.say(_("%(actor)s ändrade ärendet %(case)s")), details

    _incident_change = _incident_other

    def _checklist(self, code):
        item = ChecklistItem.Code(code).label if code in ChecklistItem.Code.values else code
        state = self.new("state")
        if state in ChecklistItem.State.values and "state" in self.changes:
            text = _("%(actor)s satte uppföljningspunkten ”%(item)s” i ärendet %(case)s till %(state)s")
            return (self.say(text, item=item, state=ChecklistItem.State(state).label.lower()),
                    self.details(skip=("state",)))
        return (self.say(_("%(actor)s ändrade uppföljningspunkten ”%(item)s” i ärendet %(case)s"), item=item),
                self.details())

    def _action_create(self):
        return (self.say(_("%(actor)s lade till åtgärd nr %(id)s i ärendet %(case)s"), id=self.entry.object_id),
                self.details(created=True))

    def _action_change(self):
        status = self.new("status") if "status" in self.changes else None
        texts = {
            "done": _("%(actor)s markerade åtgärd nr %(id)s i ärendet %(case)s som klar"),
            "cancelled": _("%(actor)s strök åtgärd nr %(id)s i ärendet %(case)s"),
            "open": _("%(actor)s öppnade åtgärd nr %(id)s i ärendet %(case)s igen"),
        }
        text = texts.get(status, _("%(actor)s ändrade åtgärd nr %(id)s i ärendet %(case)s"))
        return self.say(text, id=self.entry.object_id), self.details()

    def _message_create(self):
        if self.new("by_reporter"):
            text = _("%(actor)s skrev ett meddelande till handläggarna i ärendet %(case)s (texten visas inte)")
        else:
            text = _("%(actor)s skrev ett meddelande till rapportören i ärendet %(case)s (texten visas inte)")
        return self.say(text), []

    def _support(self):
        texts = {
            "support.start": _("%(actor)s startade stödspåret i ärendet %(case)s"),
            "support.offer": _("%(actor)s registrerade erbjudet stöd i ärendet %(case)s"),
            "support.end": _("%(actor)s avslutade stödspåret i ärendet %(case)s i förtid (skälet visas inte)"),
            "support.done": _("%(actor)s gjorde stödspårets sista steg i ärendet %(case)s"),
        }
        text = texts.get(self.entry.action)
        if text is None:
            text = _("%(actor)s ändrade steget ”%(step)s” i stödspåret i ärendet %(case)s")
            return self.say(text, step=kind_label(self.entry.action)), self.details()
        return self.say(text), self.details(created=self.entry.action == "support.offer")

    def _protection_create(self):
        return self.say(_("%(actor)s registrerade en skyddsåtgärd för kommande besök i ärendet %(case)s")), \
            self.details(created=True)

    def _protection_change(self):
        return self.say(_("%(actor)s ändrade skyddsåtgärd nr %(id)s i ärendet %(case)s"),
                        id=self.entry.object_id), self.details()

    def _protection_view(self):
        return self.say(_("%(actor)s öppnade skyddsåtgärd nr %(id)s i ärendet %(case)s"), id=self.entry.object_id), []

    # --- exports
    def _situation_export(self):
        kind = str(self.new("export") or "")
        what, _dot, fmt = kind.partition(".")
        whats = {"tabeller": _("tabellerna i lägesbilden"), "arenden": _("ärendelistan i lägesbilden"),
                 "polisen": _("underlaget till polisen"), "namnd": _("rapporten till nämnden")}
        formats = {"csv": "CSV", "xlsx": "Excel", "pdf": "PDF"}
        details = []
        lens = self.new("lens")
        if isinstance(lens, str) and lens.strip():
            pairs = [f"{k}={v}" for k, v in parse_qsl(lens, keep_blank_values=False)]
            if pairs:
                details.append(_("Urval: %(lens)s") % {"lens": ", ".join(pairs)})
        if what in whats and fmt in formats:
            return self.say(_("%(actor)s exporterade %(what)s för %(node)s som %(format)s"),
                            what=whats[what], node=self.obj_name(), format=formats[fmt]), details
        return self.say(_("%(actor)s exporterade lägesbilden för %(node)s (%(kind)s)"),
                        node=self.obj_name(), kind=kind or EMPTY), details

    def _audit_export(self):
        fmt = {"csv": "CSV", "xlsx": "Excel"}.get(str(self.new("format")), str(self.new("format")))
        chosen = self.new("filter")
        details = []
        if isinstance(chosen, dict):
            parts = []
            labels = {"arende": _("ärende"), "person": _("person"), "handelse": _("händelse"),
                      "fran": _("från"), "till": _("till")}
            for key, label in labels.items():
                value = chosen.get(key)
                if _is_empty(value):
                    continue
                if key == "handelse":
                    value = (GROUP_LABELS.get(value[6:], value) if str(value).startswith("grupp:")
                             else kind_label(str(value)))
                elif key in ("fran", "till"):
                    value = _when(value, "date")
                elif key == "person":
                    value = f"”{value}”"
                parts.append(f"{label} {value}")
            details.append(_("Urval: %(filter)s") % {"filter": ", ".join(parts)} if parts
                           else _("Urval: alla loggposter"))
        return self.say(_("%(actor)s exporterade granskningsloggen som %(format)s"), format=fmt), details

    # --- the annual cycle
    def _cycle_duty_created(self):
        duty = self.obj
        node = duty.node.name if duty is not None else EMPTY
        return (self.say(_("%(actor)s lade till den återkommande uppgiften ”%(title)s” för %(node)s"),
                         title=self.obj_name(), node=node), self.details(created=True))

    def _cycle_duty_changed(self):
        return (self.say(_("%(actor)s ändrade den återkommande uppgiften ”%(title)s”"), title=self.obj_name()),
                self.details())

    def _cycle_occurrence_done(self):
        return (self.say(_("%(actor)s markerade ”%(occurrence)s” som klar"), occurrence=self.obj_name()),
                self.details(skip=("status",)))

    def _cycle_occurrence_changed(self):
        return (self.say(_("%(actor)s ändrade det klara tillfället ”%(occurrence)s”"), occurrence=self.obj_name()),
                self.details())

    def _cycle_occurrence_reopened(self):
        return (self.say(_("%(actor)s öppnade tillfället ”%(occurrence)s” igen"), occurrence=self.obj_name()),
                self.details())

    def _cycle_training_created(self):
        return (self.say(_("%(actor)s registrerade ett utbildningstillfälle (nr %(id)s)"), id=self.entry.object_id),
                self.details(created=True))

    def _cycle_training_changed(self):
        return (self.say(_("%(actor)s ändrade utbildningstillfälle nr %(id)s"), id=self.entry.object_id),
                self.details())

    # --- the knowledge bank
    def _knowledge_article_create(self):
        return (self.say(_("%(actor)s skrev artikeln ”%(title)s” i kunskapsbanken"), title=self.obj_name()),
                self.details(created=True))

    def _knowledge_article_update(self):
        return (self.say(_("%(actor)s ändrade artikeln ”%(title)s” i kunskapsbanken"), title=self.obj_name()),
                self.details())

    # --- gallring
    def _retention_thin(self):
        from retention.schedule import BY_CODE

        kinds = self.new("kinds") if isinstance(self.new("kinds"), list) else []
        names = ", ".join(str(BY_CODE[k].label).lower() if k in BY_CODE else str(k) for k in kinds)
        return self.say(_("Gallringen tog bort %(kinds)s i ärendet %(case)s (körning %(run)s)"),
                        kinds=names or EMPTY, run=self.new("run") or EMPTY), []

    def _retention_run(self):
        from retention.schedule import BY_CODE

        removed = self.new("removed") if isinstance(self.new("removed"), dict) else {}
        details = [f"{_cap(str(BY_CODE[k].label)) if k in BY_CODE else k}: {n}" for k, n in sorted(removed.items())]
        return self.say(_("Gallringskörning %(id)s gallrade %(n)s ärenden och lämnade %(held)s bevarade"),
                        id=self.entry.object_id, n=self.new("cases") or 0, held=self.new("held") or 0), details

    def _retention_rule_change(self):
        from retention.schedule import BY_CODE

        kind = BY_CODE.get(self.new("kind"))
        name = str(kind.label).lower() if kind else str(self.new("kind"))
        details = []
        old, new = (self.changes.get("period") or [None, None])[:2]
        if old != new:
            details.append(_("Tid: från %(old)s till %(new)s") % {"old": old, "new": new})
        forever = self.changes.get("keep_forever") or [None, None]
        if forever[0] != forever[1]:
            details.append(_("Bevaras för alltid: %(value)s") % {"value": _("ja") if forever[1] else _("nej")})
        return self.say(_("%(actor)s ändrade gallringsregeln för %(kind)s"), kind=name), details

    def _retention_hold_place(self):
        from retention.models import Hold

        reason = dict(Hold.Reason.choices).get(self.new("reason"), EMPTY)
        return self.say(_("%(actor)s bevarade ärendet %(case)s från gallring (%(reason)s)"),
                        reason=str(reason).lower()), []

    def _retention_hold_lift(self):
        return self.say(_("%(actor)s hävde bevarandet av ärendet %(case)s")), []

    def _retention_extract(self):
        person = self.words.name(User, self.new("subject"))
        if self.new("by") == "self":
            return self.say(_("%(actor)s laddade ner sitt registerutdrag")), []
        return self.say(_("%(actor)s tog fram registerutdrag för %(person)s"), person=person), []

    def _audit_checkpoint(self):
        details = [_("Gamla kedjans huvud: %(head)s") % {"head": self.new("old_head")},
                   _("Omräknade poster: %(n)s") % {"n": self.new("converted")}]
        if self.new("old_chain_intact") is False:
            details.append(_("Den gamla kedjan var bruten när den förankrades om."))
        return self.say(_("Systemet ersatte fritexter i loggen med nyckelade hashar och förankrade kedjan om")), details

    # --- police cooperation (police/): codes and dates are shown, free texts never
    def _police_outcome(self):
        from police.models import OutcomeStep

        step = dict(OutcomeStep.choices).get(self.new("step"), EMPTY)
        return self.say(_("%(actor)s registrerade ”%(step)s” den %(date)s för polisanmälan i ärendet %(case)s"),
                        step=step, date=self.new("on") or EMPTY), []

    def _police_outcome_remove(self):
        from police.models import OutcomeStep

        pair = self.changes.get("step") or [None, None]
        step = dict(OutcomeStep.choices).get(pair[0], EMPTY)
        return self.say(_("%(actor)s tog bort ”%(step)s” från polisanmälan i ärendet %(case)s"), step=step), []

    def _police_followup(self):
        return self.say(_("%(actor)s angav medarbetarens roll i polisärendet i ärendet %(case)s")), self.details()

    def _police_other(self):
        return self.say(_("%(actor)s: %(kind)s"), kind=kind_label(self.entry.action).lower()), []

    _police_agreement_create = _police_agreement_change = _police_agreement_download = _police_other
    _police_meeting_create = _police_meeting_notes = _police_meeting_pack = _police_other
    _police_measure_create = _police_measure_change = _police_other
    def _audit_prune(self):
        details = [_("Kedjan börjar nu efter nummer %(n)s") % {"n": self.new("through")},
                   _("Poster som lämnades kvar i det gallrade avsnittet: %(n)s") % {"n": self.new("kept")}]
        return self.say(_("Gallringskörning %(run)s tog bort %(n)s loggposter äldre än regeln"),
                        run=self.new("run") or "", n=self.new("removed") or 0), details

    # --- administration and the rest
    def _admin(self, created: bool):
        model = str(self.model._meta.verbose_name) if self.model is not None else EMPTY
        text = (_("%(actor)s skapade %(model)s ”%(name)s”") if created
                else _("%(actor)s ändrade %(model)s ”%(name)s”"))
        return self.say(text, model=model, name=self.obj_name()), self.details(created=created)

    def _unknown(self):
        text = (_("%(actor)s gjorde något av slaget ”%(code)s” i ärendet %(case)s") if self.case
                else _("%(actor)s gjorde något av slaget ”%(code)s”"))
        return self.say(text, code=self.entry.action), self.details()
