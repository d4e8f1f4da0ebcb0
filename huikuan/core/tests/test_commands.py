import pytest
from django.core.management.base import CommandError

from huikuan.core.commands import actor_named, counting_progress
from huikuan.testing.factories import UserFactory


@pytest.mark.django_db
def test_the_acting_user_is_found_by_name_or_refused():
    clerk = UserFactory(username="clerk")
    assert actor_named("clerk") == clerk
    assert actor_named(None) is None
    with pytest.raises(CommandError, match="no user 'nobody'"):
        actor_named("nobody")


def test_a_job_reports_into_the_counting_bar():
    bar, progress = counting_progress(disabled=True, desc="importing")
    progress(3, 10)
    assert (bar.n, bar.total) == (3, 10)
