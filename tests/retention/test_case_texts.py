"""Other apps' free texts about a case (incidents.texts: the support track's
notes, the offer's description, the employee's comment) leave with the
case's own texts; their coded values stay, and a case not yet due keeps them."""
from datetime import date

import pytest

from retention import thinning
from support.models import SupportAnswer, SupportOffer, SupportStep, SupportTrack
from tests.retention.planting import YEAR, case

pytestmark = pytest.mark.django_db


def support_texts(inc, label):
    track = SupportTrack.unscoped.create(incident=inc, origin=SupportTrack.Origin.REPORT,
                                         status=SupportTrack.Status.DONE, end_reason=f"Avslutat {label}")
    SupportStep.unscoped.create(track=track, kind=SupportStep.Kind.FIRST_TALK, due_on=date(2020, 1, 3),
                                state=SupportStep.State.DONE, done_on=date(2020, 1, 2), note=f"Samtal {label}")
    SupportOffer.unscoped.create(track=track, code=SupportOffer.Code.OTHER, offered_on=date(2020, 1, 2),
                                 answer=SupportOffer.Answer.ACCEPTED, note=f"Erbjudande {label}")
    SupportAnswer.unscoped.create(incident=inc, occasion=SupportAnswer.Occasion.CLOSING, felt_supported=True,
                                  comment=f"Kommentar {label}")
    return track


def texts_of(inc):
    track = SupportTrack.unscoped.get(incident=inc)
    return (track.end_reason, track.steps.get().note, track.offers.get().note,
            SupportAnswer.unscoped.get(incident=inc).comment)


def test_support_texts_leave_with_the_case_and_their_codes_stay(city):
    due = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="d")
    young = case(city.north_a, reporter=city.employee, closed_days_ago=YEAR, label="y")
    support_texts(due, "d")
    support_texts(young, "y")
    thinning.run()
    assert texts_of(due) == ("", "", "", "")
    track = SupportTrack.unscoped.get(incident=due)
    assert track.status == SupportTrack.Status.DONE
    assert track.steps.get().state == SupportStep.State.DONE
    assert track.offers.get().answer == SupportOffer.Answer.ACCEPTED
    assert SupportAnswer.unscoped.get(incident=due).felt_supported is True
    assert texts_of(young) == ("Avslutat y", "Samtal y", "Erbjudande y", "Kommentar y")


def test_a_case_whose_only_text_left_is_the_support_note_is_still_due(city):
    due = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="d")
    thinning.run()
    assert thinning.preview().total("texts") == 0
    support_texts(due, "sen")   # written after the first run (say, restored from a backup)
    assert thinning.preview().total("texts") == 1
    thinning.run()
    assert texts_of(due) == ("", "", "", "")
