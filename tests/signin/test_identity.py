"""Who a signed-in person is (signin.identity.sign_in), from the claims a
provider sends: matched on subject or employee number and never on e-mail,
kept up to date, roles synchronised from groups, and what the auditor reads."""
import pytest

from audit.models import AuditEntry
from organisation.models import GroupRoleMapping, Role, User
from signin.errors import SignInError
from signin.identity import sign_in
from tests.signin.conftest import use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims_config(settings):
    use_provider(settings, "http://127.0.0.1:9/o")


def claims(**changes):
    base = {"sub": "abc-123", "given_name": "Karin", "family_name": "Ek", "email": "karin.ek@example.se",
            "employee_number": "900001", "unit_code": "NORR-BU", "gender": "K", "groups": ["G1"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_an_account_from_the_hr_import_is_found_by_employee_number(city, claims_config):
    hr = User.objects.create_user("900001", employee_number="900001", first_name="Karin", last_name="Eek")
    user = sign_in(claims())
    assert user.pk == hr.pk and user.oidc_subject == "abc-123" and user.last_name == "Ek"
    # From now on the subject finds it, even with a changed employee number.
    assert sign_in(claims(employee_number="900009")).pk == hr.pk
    assert User.objects.get(pk=hr.pk).employee_number == "900009"


def test_an_account_is_never_taken_over_by_e_mail(city, claims_config):
    # Someone at the provider with the e-mail of an existing account and no
    # other link to it gets their own account, not the existing one.
    user = sign_in(claims(email=city.security.email, employee_number="900002"))
    assert user.pk != city.security.pk
    assert not user.has_role(Role.SECURITY_COORDINATOR)
    assert User.objects.get(pk=city.security.pk).oidc_subject is None


def test_an_employee_number_that_belongs_to_another_identity_is_refused(city, claims_config):
    sign_in(claims())
    with pytest.raises(SignInError) as error:
        sign_in(claims(sub="someone-else"))
    assert error.value.reason == "conflict"


def test_roles_come_from_groups_and_the_auditor_reads_them(city, claims_config, login):
    GroupRoleMapping.objects.create(group="G1", role=Role.HR, node=city.north)
    GroupRoleMapping.objects.create(group="G1", role=Role.SAFETY_REP, node=city.north_b, active=False)
    user = sign_in(claims(gender="Man"))
    assert user.gender == "man"
    assert set(user.assignments.filter(active=True).values_list("role", "node__code")) == {
        (Role.HR, "NORR"), (Role.EMPLOYEE, "NORR-BU")}
    # A unit code the tree does not have is ignored; the known roles stay.
    user = sign_in(claims(unit_code="FINNS-INTE", gender="Man"))
    assert user.has_role(Role.EMPLOYEE)
    # An unknown gender word leaves the stored gender as it was.
    assert sign_in(claims(gender="???")).gender == "man"
    entry = AuditEntry.objects.get(action="roleassignment.create", changes__role=[None, Role.HR])
    assert entry.actor_label == "Inloggningen" and entry.actor is None
    page = login(city.auditor).get("/granskning/").content.decode()
    assert "Inloggningen" in page


def test_without_any_role_no_account_is_made(city, claims_config):
    with pytest.raises(SignInError) as error:
        sign_in(claims(groups=["Okand"], unit_code=None))
    assert error.value.reason == "no_role"
    assert not User.objects.filter(oidc_subject="abc-123").exists()


@pytest.mark.parametrize("missing", ["sub", "employee_number"])
def test_a_missing_required_claim_is_named(city, claims_config, missing):
    with pytest.raises(SignInError) as error:
        sign_in(claims(**{missing: None}))
    assert (error.value.reason, error.value.detail) == ("missing_claim", missing)
