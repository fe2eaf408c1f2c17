"""The question guide "Osäker? Hjälp mig välja": plain yes/no questions, each
pointing to one form of influence. This list is the one source of truth; the
partial knowledge/_form_guide.html renders it as data attributes that
knowledge/static/knowledge/guide.js reads to tick the report form's boxes.
"""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    hint: str      # a short clarification under the question
    form: str      # InfluenceForm code a "yes" selects
    reason: str    # why a "yes" means that form, said back to the reporter


QUESTIONS = [
    Question(
        "harm",
        _("Sa, skrev eller visade någon att hen skulle skada dig, någon som står dig nära eller något du äger?"),
        _("Även om det sades ”på skämt”, antyddes eller kom via någon annan."),
        "hot",
        _("Att säga, skriva eller antyda att du, dina närstående eller din egendom ska skadas är hot – även på skämt."),
    ),
    Question(
        "touch",
        _("Tog någon i dig mot din vilja?"),
        _("Till exempel slog, sparkade, knuffade, spottade, höll fast eller kastade något mot dig."),
        "vald",
        _("All fysisk kontakt mot din vilja är våld, också en knuff eller att någon spottar."),
    ),
    Question(
        "repeated",
        _("Har det hänt flera gånger, eller fortsätter personen att kontakta, följa, filma eller hänga ut dig?"),
        _("Också upprepade anmälningar eller klagomål som används för att pressa dig."),
        "trakasserier",
        _("Upprepad, oönskad kontakt eller bevakning för att pressa dig är trakasserier."),
    ),
    Question(
        "damage",
        _("Skadades eller förstördes något – ditt eller arbetsplatsens?"),
        _("Till exempel en repad bil, en krossad ruta eller en sönderslagen dator."),
        "skadegorelse",
        _("När din eller arbetsplatsens egendom förstörs eller skadas är det skadegörelse."),
    ),
    Question(
        "offer",
        _("Erbjöds du något, eller pressades du att gynna någon?"),
        _("Pengar, gåvor, presentkort, tjänster, ett jobb eller en relation – också påtryckningar från chef eller politiker."),
        "korruption",
        _("Erbjudanden och påtryckningar som ska påverka ett beslut räknas som korruption."),
    ),
]

NONE_FITS = _("Passar inget av detta? Beskriv ändå vad som hände och skicka rapporten – "
              "den som tar emot den hjälper till att välja form.")


def questions() -> list[Question]:
    return list(QUESTIONS)
