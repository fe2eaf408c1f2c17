"""Errors are problem documents (RFC 9457) in Swedish, or English by
Accept-Language, and bad input is a 400 that names the field, never a 500."""
import pytest

pytestmark = pytest.mark.django_db
INCIDENTS = "/api/v1/incidents/"


@pytest.mark.parametrize("language,title,detail_word", [
    ("sv", "Finns inte", "finns inte"), ("en", "Not found", "does not exist"),
    ("en-GB,en;q=0.9", "Not found", "does not exist"), ("sv-SE,sv;q=0.9,en;q=0.5", "Finns inte", "finns inte")])
def test_a_problem_document_in_the_callers_language(city, api, language, title, detail_word):
    response = api("security", language).get(f"{INCIDENTS}999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["title"] == title and detail_word in body["detail"] and body["status"] == 404
    assert response["Content-Language"] == language[:2]


def test_bad_input_in_english_names_the_field_in_english(city, api):
    body = api("security", "en").get(INCIDENTS, {"page_size": 1000}).json()
    assert body["errors"] == [{"field": "page_size", "detail": "The number may be at most 100."}]
    assert body["title"] == "The data could not be accepted"


@pytest.mark.parametrize("params,field", [
    ({"page_size": "tio"}, "page_size"),
    ({"page_size": 1000}, "page_size"),
    ({"page_size": 0}, "page_size"),
    ({"cursor": "inte-en-markör"}, "cursor"),
    ({"reported_from": "1999-12-31"}, "reported_from"),
    ({"reported_from": "2025-02-30"}, "reported_from"),
    ({"reported_to": "31/12/2025"}, "reported_to"),
    ({"reported_from": "2025-06-01", "reported_to": "2025-01-01"}, "reported_to"),
    ({"status": "borta"}, "status"),
    ({"unit": 99999999}, "unit"),
    ({"unit": "99999999999999999999999"}, "unit"),
    ({"form": "okand"}, "form"),
    ({"sortering": "nyast"}, "sortering"),
])
def test_bad_query_parameters_are_a_400_naming_the_parameter(city, api, params, field):
    response = api("security").get(INCIDENTS, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:varn:problem:invalid"
    assert field in [e["field"] for e in body["errors"]]
    assert field in body["detail"]


@pytest.mark.parametrize("raw,field", [
    ('{"to": "acknowledged", "version": "ett"}', "version"),
    ('{"to": "acknowledged", "version": 1, "prioritet": "hög"}', "prioritet"),
    ('{"to": "borta", "version": 1}', "to"),
    ('{"version": 1}', "to"),
    ('{"to": "acknowledged", "version": 99999999999999999999999}', "version"),
    ('["to", "acknowledged"]', ""),
    ('"acknowledged"', ""),
    ('{"to": "acknowledged", "version": 1, "summary": "a\\u0000b"}', "summary"),
    ('{"to": "acknowledged", "version": 1', ""),
    ("inte json", ""),
    ("", "to"),  # no body at all: an empty object, so the fields it lacks are named
])
def test_a_bad_body_is_a_400_naming_the_field(city, api, raw, field):
    response = api("security").post(f"{INCIDENTS}{city.named.pk}/status/", raw=raw)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in [e["field"] for e in body["errors"]], body
    city.named.refresh_from_db()
    assert city.named.version == 1


def test_a_body_that_is_not_json_is_refused_by_its_type(city, api):
    response = api("security").post(f"{INCIDENTS}{city.named.pk}/status/", raw="to=acknowledged&version=1",
                                    content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_a_control_character_in_a_query_is_a_problem_document(city, api):
    response = api("security").get(INCIDENTS, {"form": "hot\x00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "form"


def test_unknown_addresses_and_methods_are_problem_documents(city, api):
    missing = api("security").get("/api/v2/incidents/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    method = api("security").send("delete", f"{INCIDENTS}{city.named.pk}/")
    assert method.status_code == 405 and method["Content-Type"] == "application/problem+json"
    html = api("security").get(INCIDENTS, HTTP_ACCEPT="text/html")
    assert html.status_code == 406 and html["Content-Type"] == "application/problem+json"
    problem = api("security").get(f"{INCIDENTS}999999/", HTTP_ACCEPT="application/problem+json")
    assert problem.status_code == 404 and problem.json()["title"] == "Finns inte"


def test_the_situation_lens_is_validated_like_the_page(city, api):
    caller = api("security")
    node = f"/api/v1/situation/{city.north.pk}/"
    bad = caller.get(node, {"period": "intervall", "start": "2025-06-01", "end": "2025-01-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "end"
    assert caller.get(node, {"period": "intervall"}).json()["errors"][0]["field"] in ("start", "end")
    assert caller.get(node, {"form": ["hot", "okand"]}).json()["errors"][0]["field"] == "form"
    assert caller.get(node, {"year": 1999}).json()["errors"][0]["field"] == "year"
    ok = caller.get(node, {"period": "intervall", "start": "2025-01-01", "end": "2025-12-31", "form": ["hot"]})
    assert ok.status_code == 200 and ok.json()["period"] == {"start": "2025-01-01", "end": "2025-12-31"}


def test_answers_are_never_kept_by_a_cache(city, api):
    for path in (INCIDENTS, f"{INCIDENTS}{city.named.pk}/", f"{INCIDENTS}999999/"):
        cache = api("security").get(path).get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, path
