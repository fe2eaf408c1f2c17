"""The retention schedule: each kind of data, what a rule for it removes and
keeps, its default (common Swedish municipal practice, docs/retention.md)
and the floor Värn refuses to go below.

Periods of a case's data count from the day the case was closed; an open
case is never thinned. Drafts count from when they were last saved.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from retention.models import RetentionRule

YEARS, DAYS = "years", "days"


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    removes: object
    keeps: object
    unit: str            # YEARS or DAYS
    default: int
    minimum: int
    minimum_why: object
    case_data: bool = True  # counted from the case's closing; False: drafts, the log
    executed: bool = True   # False: the rule is set and checked, but Värn does not remove these yet


KINDS = [
    Kind("identity", _("Rapportörens identitet"),
         _("Kopplingen mellan rapporten och den som skrev den (rapportören)."),
         _("Om rapporten var med namn, konfidentiell eller anonym, och rapportörens kön för statistiken."),
         YEARS, 5, 2, _("Ärendet ska kunna följas upp i årets och nästa års uppföljning av arbetsmiljön "
                        "(AFS 2023:1) och i en arbetsskadeanmälan.")),
    Kind("texts", _("Fritexter"),
         _("Beskrivningen, platsen, K-numret, skälet att inte polisanmäla, sammanfattningen vid avslut, "
           "åtgärdernas formuleringar och uppföljningens kommentarer och referenser."),
         _("Form, källa, verksamhetsområde, kanal, enhet, månad, polisanmälan ja/nej, tider till kvittens "
           "och avslut, åtgärdernas antal, ansvariga och datum."),
         YEARS, 5, 2, _("Samma som rapportörens identitet: uppföljning och arbetsskadeanmälan.")),
    Kind("messages", _("Meddelanden"),
         _("Meddelandena mellan rapportören och handläggarna."),
         _("Ingenting av meddelandena (de räknas inte i lägesbilden)."),
         YEARS, 5, 2, _("Samma som fritexterna.")),
    Kind("attachments", _("Bilagor"),
         _("Bifogade filer, även från disken, och deras filnamn."),
         _("Ingenting av bilagorna."),
         YEARS, 5, 2, _("Samma som fritexterna.")),
    Kind("pseudonyms", _("Pseudonymer för återkommande aktörer"),
         _("Ärendets nyckelade pseudonym för den som utövade påverkan."),
         _("Lägesbildens siffror för tidigare år (de är sparade); nya ärenden matchas inte längre mot det gallrade."),
         YEARS, 3, 1, _("Ett helt års ärenden ska kunna jämföras för att upptäcka återkommande aktörer.")),
    Kind("receipts", _("Kvittokoder för anonyma rapporter"),
         _("Möjligheten att öppna en anonym rapport med kvittokoden (kodens nyckelade hash)."),
         _("Själva rapporten, som de andra reglerna gallrar."),
         DAYS, 90, 30, _("Den anonyma rapportören ska hinna läsa svaret efter avslut "
                         "(återkoppling inom tre månader är normen, lagen 2021:890).")),
    Kind("drafts", _("Utkast"),
         _("Sparade utkast till rapporter som aldrig skickades, räknat från när de sparades senast."),
         _("Ingenting av utkastet."),
         DAYS, 30, 7, _("Den som började skriva ska hinna komma tillbaka efter en ledighet."), case_data=False),
    Kind("audit", _("Granskningsloggen"),
         _("Loggposter äldre än tiden (vem som läste eller ändrade vad och när; ingen text); poster om ett "
           "ärende först när också ärendet avslutades så länge sedan."),
         _("Poster om ärenden som är öppna, avslutades senare eller är bevarade, och en signerad kontrollpunkt "
           "där kedjan nu börjar, så att loggen fortfarande kan kontrolleras."),
         YEARS, 10, 2, _("Loggen ska finnas kvar längre än det den beskriver."), case_data=False),
]
BY_CODE = {k.code: k for k in KINDS}
CASE_KINDS = [k.code for k in KINDS if k.case_data]


@dataclass
class Effective:
    kind: Kind
    period: int
    keep_forever: bool
    reason: str
    custom: bool  # set by the administrator (False: the default)

    def age(self) -> timedelta | None:
        """How long after the start the data is removed; None: never."""
        if self.keep_forever:
            return None
        return timedelta(days=self.period * 365 if self.kind.unit == YEARS else self.period)


def rules() -> dict[str, Effective]:
    stored = {r.kind: r for r in RetentionRule.objects.all()}
    out = {}
    for kind in KINDS:
        row = stored.get(kind.code)
        out[kind.code] = (Effective(kind, row.period, row.keep_forever, row.reason, True) if row
                          else Effective(kind, kind.default, False, "", False))
    return out


def unit_label(kind: Kind, n: int) -> str:
    if kind.unit == YEARS:
        return str(_("%(n)s år") % {"n": n})
    return str(_("%(n)s dag") % {"n": n} if n == 1 else _("%(n)s dagar") % {"n": n})


def problems(code: str, period, keep_forever: bool, reason: str, current: dict[str, Effective]) -> list[str]:
    """What is wrong with a proposed rule for `code`, in Swedish; empty when
    it may be saved. `current` is rules() (the other kinds' rules)."""
    kind = BY_CODE[code]
    out = []
    if keep_forever:
        if not (reason or "").strip():
            out.append(str(_("Att bevara för alltid kräver ett skäl, till exempel arkivmyndighetens beslut "
                             "om bevarande.")))
        return out
    if period is None:
        return [str(_("Ange en tid."))]
    if period < kind.minimum:
        out.append(str(_("%(kind)s får inte gallras tidigare än %(min)s efter %(start)s: %(why)s") % {
            "kind": kind.label, "min": unit_label(kind, kind.minimum),
            "start": _("avslut") if kind.case_data else _("senast sparat"), "why": kind.minimum_why}))
    if code == "audit":
        longest = max((r.age() for c, r in current.items() if c in CASE_KINDS and r.age() is not None),
                      default=timedelta(0))
        if any(r.age() is None for c, r in current.items() if c in CASE_KINDS):
            out.append(str(_("Granskningsloggen kan inte gallras så länge något av ärendenas uppgifter "
                             "bevaras för alltid.")))
        elif timedelta(days=period * 365) <= longest:
            out.append(str(_("Granskningsloggen ska sparas längre än ärendenas uppgifter "
                             "(nu längst %(n)s år).") % {"n": longest.days // 365}))
    elif code in CASE_KINDS:
        audit = current["audit"].age()
        mine = timedelta(days=period * 365 if kind.unit == YEARS else period)
        if audit is not None and mine >= audit:
            out.append(str(_("Ärendets uppgifter ska gallras före granskningsloggen (som sparas %(n)s år).") % {
                "n": audit.days // 365}))
    return out
