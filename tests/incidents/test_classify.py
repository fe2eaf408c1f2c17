"""The form suggester: what it recognises, what it leaves alone, how it explains
itself, the command-line version and the endpoint the report form calls."""
import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from incidents.classify import FORM_ORDER, Suggestion, fold, source_hint, suggest
from incidents.models import InfluenceForm

ROOT = Path(__file__).resolve().parents[2]


def codes(text):
    return [s.code for s in suggest(text)]


@pytest.mark.parametrize("text,code", [
    ("Han knuffa mig i dörren", "vald"),
    ("hon puttade till mig när jag gick", "vald"),
    ("klienten slog mig i ansiktet", "vald"),
    ("han försökte spotta på mig", "vald"),
    ("han spottade mig i ansiktet", "vald"),
    ("han erbjöd mutor", "korruption"),
    ("utföraren gav mig ett presentkort", "korruption"),
    ("han sa: jag vet var du bor", "hot"),
    ("jag ska döda dig skrek han", "hot"),
    ("hon filmade mig under mötet", "trakasserier"),
    ("han la ut en bild på mig på insta", "trakasserier"),
    ("någon repade bilen på parkeringen", "skadegorelse"),
    ("hotade mig med kniv", "hot"),
    ("han hottade mig", "hot"),
    ("jag vet var du bor", "hot"),
    ("Klienten vet var du bor sa han", "hot"),
    ("han ringer till min privata mobil hela tiden", "trakasserier"),
    ("fönstret krossades", "skadegorelse"),
    ("erbjöd mig 5000 kr om jag beviljade", "korruption"),
    ("han knfufade mig", "vald"),           # a typo in the verb
    ("han har trakaserat mig i veckor", "trakasserier"),
    ("HAN SA ATT HAN SKA SLÅ IHJÄL MIG", "hot"),
    ("han sa att han vet vart du bor", "hot"),
    ("skadegorelse pa bilen, repor overallt", "skadegorelse"),  # without Swedish letters
])
def test_it_recognises_everyday_ways_of_describing_each_form(text, code):
    assert code in codes(text), (text, suggest(text))


@pytest.mark.parametrize("text", [
    "Han var inte hotfull, bara ledsen.",
    "Ingen slog mig men han skrek.",
    "Han hotade att anmäla mig till IVO.",
    "Klienten hotade att gå till media.",
    "Hon sa att hon ska ta livet av sig. Vi kontaktade psykiatrin.",
    "Han slog igen dörren och gick.",
    "Jag fick sparken från mitt förra jobb.",
    "Vi bokade in ett nytt möte på hotellet.",
    "Det var ett lugnt samtal om utbetalningen.",
    "Klienten har ringt några gånger för att fråga om sitt ärende.",
    "",
])
def test_it_stays_quiet_when_nothing_points_to_a_form(text):
    assert codes(text) == [], suggest(text)


def test_a_harm_verb_in_the_future_is_a_threat_not_violence():
    assert codes("han sa att han skulle slå mig") == ["hot"]
    assert codes("han slog mig") == ["vald"]


def test_several_forms_are_suggested_in_the_taxonomy_order():
    assert codes("Han skrek att han skulle döda mig och knuffade mig, sen slog han sönder datorn") == [
        "hot", "vald", "skadegorelse"]


def test_each_suggestion_says_why_with_the_words_the_reporter_wrote():
    [s] = suggest("Mannen sa lugnt: jag vet var du bor.")
    assert s == Suggestion("hot", "Det låter som hot – du skrev ”vet var du bor”.", "vet var du bor")
    [s] = suggest("han KNUFFADE mig hårt")
    assert s.matched_phrase == "KNUFFADE mig"


def test_the_matched_phrase_is_taken_from_the_original_text_even_after_folding():
    text = "Hon sa att hon vet vart du bor, då blev jag rädd"
    folded, index = fold(text)
    assert len(index) == len(folded)
    [s] = suggest(text)
    assert s.matched_phrase in text


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_it_never_fails_and_only_returns_known_codes(text):
    result = suggest(text)
    assert all(s.code in FORM_ORDER for s in result)
    assert len({s.code for s in result}) == len(result)


def test_it_handles_huge_input_quickly():
    import time
    started = time.perf_counter()
    suggest("han hotade mig " + "bla " * 50_000)
    assert time.perf_counter() - started < 1.0


def test_the_labelled_set_is_large_varied_and_scores_above_target():
    sys.path.insert(0, str(ROOT))
    from bench.classify import figures, load, score

    rows = load()
    assert len(rows) >= 150
    assert sum(1 for gold, _ in rows if not gold) >= 15          # some where no form fits
    assert sum(1 for gold, _ in rows if len(gold) > 1) >= 15     # some with mixed forms
    result = figures(score(rows)[0])
    for form in FORM_ORDER:
        assert result[f"precision_{form}"] >= 0.85, (form, result)
        assert result[f"recall_{form}"] >= 0.75, (form, result)


def test_on_text_it_has_never_seen_it_is_mostly_right_and_the_model_adds_recall():
    sys.path.insert(0, str(ROOT))
    from bench.classify import INDEPENDENT, RULES_ONLY, figures, load, score

    independent = load(INDEPENDENT)
    assert len(independent) >= 80
    assert not {text for _, text in independent} & {text for _, text in load()}
    both = figures(score(independent)[0])
    rules = figures(score(independent, model=RULES_ONLY)[0])
    assert both["micro_precision"] >= 0.9, both
    assert both["micro_recall"] >= rules["micro_recall"] + 0.1, (both, rules)


def test_the_model_finds_what_the_rules_miss_and_quotes_the_reporters_words():
    text = "Hans kusin som äger byggfirman bjöd in mig på kräftskiva just när vi skulle fatta beslut om bidraget."
    rules_only = {form: (0.0, {}) for form in FORM_ORDER}
    assert suggest(text, model=rules_only) == []
    [s] = suggest(text)
    assert s.code == "korruption" and s.matched_phrase in text and len(s.matched_phrase) > 4
    assert s.reason == f"Det låter som korruption – du skrev ”{s.matched_phrase}”."


def test_the_model_never_quotes_a_negated_word():
    assert suggest("Inga hot, inget våld, ingen skadegörelse och inga mutor.") == []


# --- who it was: the hint for the routing question --------------------------------

@pytest.mark.parametrize("text,code,phrase", [
    ("Min chef pressade mig att bevilja bistånd till hans släkting", "intern", "Min chef pressade"),
    ("min chef pressade mig att bevilja bistand till hans slakting", "intern", "min chef pressade"),
    ("Chefen sa att jag skulle skriva om utredningen", "intern", "Chefen sa"),
    ("Enhetschefen ville att jag skulle ändra beslutet", "intern", "Enhetschefen ville"),
    ("Jag blev pressad av min chef att godkänna ansökan", "intern", "min chef att"),
    ("En kollega tog emot pengar från utföraren", "intern", "kollega tog"),
    ("Kollegorna på enheten fryser ut mig sedan jag anmälde", "intern", "Kollegorna på"),
    ("En politiker ringde och ville att ärendet skulle gå fortare", "fortroendevald", "politiker ringde"),
    ("Nämndledamoten krävde att vi beviljar hans granne", "fortroendevald", "Nämndledamoten krävde"),
    ("Ordföranden i socialnämnden hörde av sig om familjen", "fortroendevald", "Ordföranden i socialnämnden hörde"),
    ("En förtroendevald ville se akten", "fortroendevald", "förtroendevald ville"),
    ("Brukaren skrek att min chef är korrupt", "intern", "min chef är"),
])
def test_the_source_hint_finds_managers_colleagues_and_elected_officials(text, code, phrase):
    hint = source_hint(text)
    assert hint is not None and hint.code == code
    assert phrase.lower() in hint.matched_phrase.lower() or hint.matched_phrase.lower() in phrase.lower()


@pytest.mark.parametrize("text", [
    "Brukaren sa att hen vet var jag bor",
    "Brukaren hotade min kollega i receptionen",
    "Klienten hotade mig och min kollega",
    "Jag berättade för min chef om hotet direkt",
    "Jag har pratat med chefen efteråt",
    "Det var inte min chef utan en anhörig",
    "Hot mot politiker har ökat",
    "Anhörigen knuffade kollegan i dörren",
    "",
    "ok",
])
def test_the_source_hint_leaves_the_people_spoken_to_and_hurt_alone(text):
    assert source_hint(text) is None


# --- command line ---------------------------------------------------------------

def test_suggest_forms_prints_one_line_of_codes_per_input_line():
    stdin = io.StringIO("Han sa att han vet var du bor och knuffade mig\n\nEtt lugnt möte\nerbjöd mig mutor\n")
    out = io.StringIO()
    call_command("suggest_forms", stdin=stdin, stdout=out)
    assert out.getvalue().split("\n") == ["hot,vald", "", "", "korruption", ""]


# --- endpoint ---------------------------------------------------------------------

@pytest.mark.django_db
def test_the_suggestion_endpoint_needs_login(client):
    response = client.post(reverse("knowledge:suggest"), {"text": "han knuffade mig"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_suggestion_endpoint_answers_with_reasons_and_a_button_text(login, city):
    client = login(city.employee)
    response = client.post(reverse("knowledge:suggest"), {"text": "Han sa att han vet var du bor"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.json() == {"suggestions": [{
        "code": "hot", "pk": InfluenceForm.objects.get(code="hot").pk, "label": "Hot", "reason": "Det låter som hot – du skrev ”vet var du bor”.",
        "phrase": "vet var du bor", "button": "Välj hot"}]}
    get = client.get(reverse("knowledge:suggest"), {"text": "hon spottade på mig"})
    assert [s["code"] for s in get.json()["suggestions"]] == ["vald"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "<script>alert(1)</script>", "x" * 100_000])
def test_the_suggestion_endpoint_survives_absurd_input(login, city, text):
    response = login(city.employee).post(reverse("knowledge:suggest"), {"text": text})
    assert response.status_code == 200
    assert json.loads(response.content)["suggestions"] == []


@pytest.mark.django_db
def test_control_characters_never_reach_the_suggestion_endpoint(login, city):
    response = login(city.employee).post(reverse("knowledge:suggest"), {"text": "\x00\x01"})
    assert response.status_code == 400 and "styrtecken" in response.content.decode()


@pytest.mark.django_db
def test_the_suggestion_endpoint_is_rate_limited_per_user(login, city):
    from knowledge import views

    client = login(city.employee)
    limit = int(views.SUGGEST_RATE.split("/")[0])
    statuses = [client.post(reverse("knowledge:suggest"), {"text": "hej"}).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    # Another user is not affected.
    assert login(city.colleague).post(reverse("knowledge:suggest"), {"text": "hej"}).status_code == 200
