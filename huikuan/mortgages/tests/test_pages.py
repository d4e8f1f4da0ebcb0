"""Pages: worklist, board, application page with its timeline and move form, banks, report."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from huikuan.core.choices import Role
from huikuan.mortgages import services
from huikuan.mortgages.choices import Stage
from huikuan.testing.factories import contract, staff

from .helpers import bank, ready

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.mortgages.tests.urls")]


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    user = staff(Role.MORTGAGE, all_projects=True)
    user.user_permissions.add(Permission.objects.get(codename="move_stage"))
    start = timezone.localdate() - timedelta(days=30)   # a month ago: a 3-day SLA has long run out
    c = contract(method="mortgage", sign_date=start)
    app, = services.open_applications(actor=user, contract=c, bank=bank("ICBC"), specialist=user, on=start)
    ready(app, user, start)
    services.move_stage(actor=user, application=app, to=Stage.SUBMITTED, on=start)
    client = Client()
    client.force_login(user)
    return client, user, app


def test_worklist_shows_my_application_over_its_sla(setup):
    client, _, app = setup
    page = client.get("/mortgages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert app.number in html
    # submitted a month ago with an SLA of 3 business days: breached
    assert 'id="breached-count">1<' in html


def test_notices_are_marked_read_one_at_a_time_or_all_at_once(setup):
    client, user, app = setup
    first, _ = services.notify(user, "sla_breach", key="a", message="面签超时", application=app)
    services.notify(user, "document_due", key="b", message="收入证明将到期", application=app)
    html = client.get("/mortgages/").content.decode()
    assert "面签超时" in html and 'data-unread="2"' in html
    # one read: it leaves the list
    assert client.post("/mortgages/notices/read/", {"notice": first.pk}).status_code == 302
    html = client.get("/mortgages/").content.decode()
    assert "面签超时" not in html and "收入证明将到期" in html
    # all read: the panel goes
    client.post("/mortgages/notices/read/")
    assert 'id="notices"' not in client.get("/mortgages/").content.decode()


def test_board_lists_the_application_in_its_column(setup):
    client, _, app = setup
    html = client.get("/mortgages/board/").content.decode()
    column = html.split('data-stage="submitted"')[1].split("</section>")[0]
    assert app.number in column


def test_application_page_moves_and_shows_the_timeline(setup):
    client, _, app = setup
    response = client.post(f"/mortgages/{app.pk}/move/", {"to_stage": "interview", "note": "约面签"})
    assert response.status_code == 302
    html = client.get(f"/mortgages/{app.pk}/").content.decode()
    timeline = html.split('id="timeline"')[1]
    assert "约面签" in timeline
    app.refresh_from_db()
    assert app.stage == Stage.INTERVIEW
    # an illegal move comes back as a message, nothing changes
    client.post(f"/mortgages/{app.pk}/move/", {"to_stage": "registered"}, follow=True)
    app.refresh_from_db()
    assert app.stage == Stage.INTERVIEW


def test_pages_are_row_scoped(setup):
    _, _, app = setup
    outsider = staff(Role.MORTGAGE, projects=[])
    outsider.user_permissions.add(Permission.objects.get(codename="move_stage"))
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/mortgages/{app.pk}/").status_code == 404
    assert client.post(f"/mortgages/{app.pk}/move/", {"to_stage": "interview"}).status_code == 404
    assert app.number not in client.get("/mortgages/board/").content.decode()


def test_bank_and_report_pages_render_with_chart_data_as_strings(setup):
    client, _, _ = setup
    assert "ICBC" in client.get("/mortgages/banks/").content.decode()
    page = client.get("/mortgages/report/")  # default period: the last 90 days
    assert page.status_code == 200
    html = page.content.decode()
    funnel = json.loads(html.split('id="funnel-data" type="application/json">')[1].split("</script>")[0])
    assert funnel["counts"][:2] == ["1", "1"]
