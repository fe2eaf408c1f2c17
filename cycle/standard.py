"""The standard duties every district administration and the city start with.

They follow the source documents: HR reviews each district's action plan
every year; the årshjul gets a re-reporting of work-environment incidents for
analysis (here per tertial, to the committee); unlawful influence is a
mandatory process in the committee's risk and materiality analysis before the
operational plan; training happens through visits to the units' workplace
meetings (APT) and lärstudio sessions several times a year. The anonymous
surveys (surveys/) add the prevalence survey, every year or two, and the
yearly review of the exit survey.

Owners are picked from role assignments: the first role in `owner_roles`
held at the node itself, otherwise the nearest ancestor with one of them.
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop as N_

from cycle.models import Duty
from organisation.models import OrgUnit, Role


@dataclass(frozen=True)
class StandardDuty:
    key: str
    kind: str
    title: str
    description: str
    schedule: str
    owner_roles: tuple
    month: int | None = None
    day: int | None = None
    custom_days: list = field(default_factory=list)


# Texts are stored in the database in Swedish; N_ marks them for translators.
ADMINISTRATION_DUTIES = [
    StandardDuty(
        key="action_plan_review", kind=Duty.Kind.ACTION_PLAN_REVIEW,
        title=N_("Årlig översyn av handlingsplanen mot otillåten påverkan"),
        description=N_(
            "HR-chefen går igenom handlingsplanen – vad chefer och medarbetare gör före, under och "
            "efter en händelse – och beslutar om den behöver revideras. Ta med årets lägesbild och "
            "erfarenheter från skyddsombud och säkerhetssamordnare. Länka till den gällande planen."),
        schedule=Duty.Schedule.YEARLY, month=3, day=31,
        owner_roles=(Role.HR, Role.SECURITY_COORDINATOR, Role.MANAGER),
    ),
    StandardDuty(
        key="committee_rereporting", kind=Duty.Kind.COMMITTEE_REREPORTING,
        title=N_("Återrapportering av arbetsmiljöhändelser till nämnden"),
        description=N_(
            "Sammanställ tertialens händelser av otillåten påverkan för analys och återrapportera "
            "till stadsdelsnämnden. Ett utkast till lägesbild för perioden finns förberett; "
            "komplettera med er egen analys och länka till tjänsteutlåtandet."),
        schedule=Duty.Schedule.TERTIAL, day=15,
        owner_roles=(Role.SECURITY_COORDINATOR, Role.HR, Role.MANAGER),
    ),
    StandardDuty(
        key="risk_analysis_input", kind=Duty.Kind.RISK_ANALYSIS_INPUT,
        title=N_("Underlag till risk- och väsentlighetsanalysen inför verksamhetsplanen"),
        description=N_(
            "Otillåten påverkan är en obligatorisk process i nämndens risk- och "
            "väsentlighetsanalys. Ta fram underlag från lägesbilden, handlingsplanen och årets "
            "utbildningar inför nästa års verksamhetsplan."),
        schedule=Duty.Schedule.YEARLY, month=9, day=30,
        owner_roles=(Role.SECURITY_COORDINATOR, Role.MANAGER, Role.HR),
    ),
    StandardDuty(
        key="training_larstudio", kind=Duty.Kind.TRAINING,
        title=N_("Lärstudioträff om otillåten påverkan"),
        description=N_(
            "Lärstudioträff för chefer och medarbetare om hur otillåten påverkan känns igen, "
            "hanteras och rapporteras. För in varje tillfälle i utbildningsloggen."),
        schedule=Duty.Schedule.CUSTOM, custom_days=["03-31", "10-31"],
        owner_roles=(Role.HR, Role.SECURITY_COORDINATOR),
    ),
    StandardDuty(
        key="training_apt", kind=Duty.Kind.TRAINING,
        title=N_("Informationsbesök på enheternas arbetsplatsträffar (APT)"),
        description=N_(
            "Alla enheter ska under året ha fått ett informationsbesök på sin APT om "
            "handlingsplanen och om hur händelser rapporteras. Utbildningsloggen visar vilka "
            "enheter som ännu inte har fått besök."),
        schedule=Duty.Schedule.YEARLY, month=11, day=30,
        owner_roles=(Role.HR, Role.SECURITY_COORDINATOR),
    ),
    StandardDuty(
        key="prevalence_survey", kind=Duty.Kind.PREVALENCE_SURVEY,
        title=N_("Anonym exponeringsenkät om otillåten påverkan"),
        description=N_(
            "Skicka förvaltningens anonyma exponeringsenkät under Enkäter: hur många som utsatts för "
            "otillåten påverkan och hur mycket som aldrig rapporteras. Görs varje år eller vartannat år; "
            "ett år utan enkät markeras klart med en anteckning om det. Uppgiften markeras klar när "
            "enkäten startas."),
        schedule=Duty.Schedule.YEARLY, month=10, day=31,
        owner_roles=(Role.SECURITY_COORDINATOR, Role.HR),
    ),
    StandardDuty(
        key="exit_survey_review", kind=Duty.Kind.EXIT_SURVEY_REVIEW,
        title=N_("Årlig genomgång av avgångsenkäten"),
        description=N_(
            "Gå igenom årets svar på avgångsenkäten – varför medarbetare slutar och om otillåten påverkan "
            "bidrog – med omsättningen och incidenterna per 100 anställda. Registrera genomgången på "
            "avgångsenkätens sida, så markeras uppgiften klar."),
        schedule=Duty.Schedule.YEARLY, month=12, day=15,
        owner_roles=(Role.HR, Role.SECURITY_COORDINATOR),
    ),
]

CITY_DUTIES = [
    StandardDuty(
        key="action_plan_review", kind=Duty.Kind.ACTION_PLAN_REVIEW,
        title=N_("Årlig översyn av stadens stödmaterial om otillåten påverkan"),
        description=N_(
            "Se över stadens gemensamma stödmaterial (de fem påverkansformerna, hur händelser "
            "rapporteras och stadens gemensamma linje) och stäm av det mot förvaltningarnas "
            "handlingsplaner."),
        schedule=Duty.Schedule.YEARLY, month=5, day=31,
        owner_roles=(Role.HR, Role.SECURITY_COORDINATOR),
    ),
    StandardDuty(
        key="committee_rereporting", kind=Duty.Kind.COMMITTEE_REREPORTING,
        title=N_("Stadsövergripande lägesbild till kommunstyrelsen"),
        description=N_(
            "Sammanställ den stadsövergripande lägesbilden och analysen för tertialen som grund "
            "för det strategiska arbetet. Ett utkast till lägesbild för perioden finns förberett."),
        schedule=Duty.Schedule.TERTIAL, day=28,
        owner_roles=(Role.SECURITY_COORDINATOR, Role.HR),
    ),
    StandardDuty(
        key="risk_analysis_input", kind=Duty.Kind.RISK_ANALYSIS_INPUT,
        title=N_("Anvisningar om otillåten påverkan i nämndernas risk- och väsentlighetsanalys"),
        description=N_(
            "Skicka anvisningar till nämnderna om hur otillåten påverkan ska behandlas i risk- och "
            "väsentlighetsanalysen inför verksamhetsplanen."),
        schedule=Duty.Schedule.YEARLY, month=8, day=31,
        owner_roles=(Role.SECURITY_COORDINATOR, Role.MANAGER),
    ),
]

STANDARD_DUTIES = {
    OrgUnit.Kind.CITY: CITY_DUTIES,
    OrgUnit.Kind.ADMINISTRATION: ADMINISTRATION_DUTIES,
}
