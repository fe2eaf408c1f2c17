"""Stable article slugs for contextual help: each field of the report form and
each checklist item of a case links to the article that explains it.

Use in a template:  {% load knowledge %}{% help_link "rapportera-nar" "Läs mer" %}
or by key:          {% field_help "when" %}   {% checklist_help "risk_assessment" %}
The tag renders nothing when the article does not exist, so a page never shows
a dead link. The slugs below are seeded by migration 0002 and tested to exist.
"""

# Report form field → article slug.
FIELD_HELP = {
    "forms": "former",                     # Vilken form av påverkan?
    "when": "rapportera-nar",              # När hände det?
    "unit": "rapportera-enhet",            # Vilken enhet?
    "source": "rapportera-kalla",          # Vem utövade påverkan?
    "channel": "rapportera-kanal",         # Hur eller var skedde det?
    "identity": "rapportera-synlighet",    # Med namn, konfidentiellt eller anonymt
    "police": "polisanmalan",              # Polisanmälan
    "attachments": "rapportera-bilagor",   # Bilagor
    "support": "stod",                     # Vill du ha stöd?
}

# Case checklist item (incidents.models.ChecklistItem.Code) → article slug.
CHECKLIST_HELP = {
    "support_talk": "stodsamtal",                              # Stödsamtal med medarbetaren hållet
    "health_support": "foretagshalsovard-och-krisstod",        # Företagshälsovård eller krisstöd erbjudet
    "risk_assessment": "riskbedomning",                        # Riskbedömning av arbetssituationen
    "safety_rep": "skyddsombudet",                             # Skyddsombudet informerat
    "police": "polisanmalan",                                  # Beslut om polisanmälan
    "work_env_authority": "allvarligt-tillbud",                # Allvarligt tillbud till Arbetsmiljöverket
    "work_injury": "arbetsskadeanmalan",                       # Arbetsskada till Försäkringskassan
}

# The knowledge bank's other fixed entry points.
PAGE_HELP = {
    "common_line": "gemensam-linje",
    "how_to_report": "rapportera",
    "hard_cases": "svara-fall",
    "action_plan": "handlingsplan",
    "contacts": "kontakter",
    "law": "lagar",
}
