"""The access-control module, role by role, with incidents inside and outside
every scope present so that a leak would show."""
import pytest

from incidents import access
from incidents.models import Incident
from tests.factories import incident

pytestmark = pytest.mark.django_db


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_employee_sees_only_own_reports(city):
    assert ids(access.visible_incidents(city.employee)) == {
        city.named.pk, city.confidential.pk, city.north_b_case.pk}
    assert ids(access.handleable_incidents(city.employee)) == set()


def test_employee_cannot_see_colleagues_report_in_same_unit(city):
    assert city.bypassed.pk not in ids(access.visible_incidents(city.employee))
    assert ids(access.visible_incidents(city.colleague)) == {city.bypassed.pk}


def test_manager_sees_and_handles_own_unit_except_bypassed(city):
    expected = {city.named.pk, city.confidential.pk, city.anonymous.pk}
    assert ids(access.visible_incidents(city.manager)) == expected
    assert ids(access.handleable_incidents(city.manager)) == expected


def test_manager_does_not_reach_sibling_unit_or_other_district(city):
    visible = ids(access.visible_incidents(city.manager))
    assert city.north_b_case.pk not in visible
    assert city.south_case.pk not in visible


def test_manager_higher_up_covers_subtree(city):
    assert ids(access.visible_incidents(city.head_north)) == {
        city.named.pk, city.confidential.pk, city.anonymous.pk, city.north_b_case.pk}


def test_manager_identifies_named_reporters_only(city):
    assert ids(access.identifiable_incidents(city.manager)) == {city.named.pk}


def test_security_coordinator_sees_everything_in_district_with_identity(city):
    north = {city.named.pk, city.confidential.pk, city.anonymous.pk, city.bypassed.pk, city.north_b_case.pk}
    assert ids(access.visible_incidents(city.security)) == north
    assert ids(access.handleable_incidents(city.security)) == north
    assert ids(access.identifiable_incidents(city.security)) == {
        city.named.pk, city.confidential.pk, city.bypassed.pk, city.north_b_case.pk}
    assert city.south_case.pk not in ids(access.visible_incidents(city.security))


def test_hr_is_like_the_coordinator(city):
    assert ids(access.visible_incidents(city.hr)) == ids(access.visible_incidents(city.security))
    assert ids(access.identifiable_incidents(city.hr)) == ids(access.identifiable_incidents(city.security))


def test_safety_rep_is_informed_but_cannot_handle_or_identify_confidential(city):
    assert ids(access.visible_incidents(city.safety)) == {
        city.named.pk, city.confidential.pk, city.anonymous.pk}
    assert ids(access.handleable_incidents(city.safety)) == set()
    assert ids(access.identifiable_incidents(city.safety)) == {city.named.pk}


@pytest.mark.parametrize("persona", ["analyst", "committee", "auditor", "admin", "nobody"])
def test_roles_without_case_access_open_no_case(city, persona):
    user = getattr(city, persona)
    assert ids(access.visible_incidents(user)) == set()
    assert ids(access.handleable_incidents(user)) == set()
    assert ids(access.identifiable_incidents(user)) == set()


def test_analyst_counts_the_whole_city_aggregated(city):
    assert ids(access.countable_incidents(city.analyst)) == set(Incident.unscoped.values_list("pk", flat=True))
    assert access.is_aggregate_only(city.analyst)


def test_committee_counts_only_its_district(city):
    counted = ids(access.countable_incidents(city.committee))
    assert city.south_case.pk not in counted
    assert city.named.pk in counted


def test_manager_statistics_match_case_scope(city):
    assert ids(access.countable_incidents(city.manager)) == ids(access.visible_incidents(city.manager))
    assert not access.is_aggregate_only(city.manager)


@pytest.mark.parametrize("persona", ["employee", "auditor", "admin", "nobody"])
def test_roles_without_statistics_count_nothing(city, persona):
    assert ids(access.countable_incidents(getattr(city, persona))) == set()


def test_deactivated_user_loses_everything(city):
    city.security.is_active = False
    city.security.save()
    assert ids(access.visible_incidents(city.security)) == set()


def test_deactivated_assignment_loses_scope(city):
    city.manager.assignments.update(active=False)
    city.manager.refresh_from_db()
    assert ids(access.visible_incidents(city.manager)) == set()


def test_deactivated_node_loses_scope(city):
    city.north_a.active = False
    city.north_a.save()
    manager = type(city.manager).objects.get(pk=city.manager.pk)
    assert ids(access.visible_incidents(manager)) == set()


def test_anonymous_visitor_gets_nothing(city):
    from django.contrib.auth.models import AnonymousUser
    assert ids(access.visible_incidents(AnonymousUser())) == set()
    assert ids(access.countable_incidents(AnonymousUser())) == set()


def test_manager_does_not_handle_own_report(city):
    own = incident(city.north_a, reporter=city.manager, description="Chefens egen rapport")
    assert own.pk in ids(access.visible_incidents(city.manager))
    assert own.pk not in ids(access.handleable_incidents(city.manager))


def test_get_visible_incident_is_404_outside_scope(city):
    from django.http import Http404
    with pytest.raises(Http404):
        access.get_visible_incident(city.manager, city.south_case.pk)
    assert access.get_visible_incident(city.manager, city.named.pk) == city.named


def test_moving_a_unit_moves_its_scope(city):
    city.north_b.parent = city.south
    city.north_b.save()
    security_south = type(city.security_south).objects.get(pk=city.security_south.pk)
    assert city.north_b_case.pk in ids(access.visible_incidents(security_south))
    security = type(city.security).objects.get(pk=city.security.pk)
    assert city.north_b_case.pk not in ids(access.visible_incidents(security))


def test_handlers_of_is_the_exact_inverse_of_handleable_incidents(city):
    from organisation.models import User

    own = incident(city.north_a, reporter=city.manager, description="Chefens egen rapport")
    for inc in Incident.unscoped.all():
        handlers = set(access.handlers_of(inc).values_list("pk", flat=True))
        for user in User.objects.all():
            assert (user.pk in handlers) == access.handleable_incidents(user).filter(pk=inc.pk).exists(), \
                (user.username, inc.description)
    assert city.manager.pk not in set(access.handlers_of(own).values_list("pk", flat=True))
