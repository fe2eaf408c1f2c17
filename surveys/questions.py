"""The standard questions of the prevalence survey, asked for each of the
five forms of influence. Codes are stored; labels are translated."""
from django.utils.translation import gettext_lazy as _

YES, NO = "yes", "no"

TIMES = [
    ("1", _("En gång")),
    ("2-5", _("2–5 gånger")),
    ("6-10", _("6–10 gånger")),
    ("11+", _("Fler än 10 gånger")),
]
# A cautious number of times for each choice (its lower bound), for sums.
TIMES_LOW = {"1": 1, "2-5": 2, "6-10": 6, "11+": 11}

REPORTED = [
    ("all", _("Ja, varje gång")),
    ("some", _("Ja, ibland")),
    ("none", _("Nej, aldrig")),
]

# Why it was not reported: the reasons the seed documents name.
REASONS = [
    ("did_not_know_how", _("Jag visste inte hur man rapporterar")),
    ("too_much_work", _("Det är för krångligt eller tar för lång tid")),
    ("part_of_the_job", _("Det hör till jobbet")),
    ("fear", _("Jag var rädd för följderna")),
    ("did_not_count", _("Jag trodde inte att det räknades")),
    ("other", _("Annat skäl")),
]

SCALE = [(str(n), str(n)) for n in range(1, 6)]
