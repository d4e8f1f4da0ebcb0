"""The pages: review queue with filters and HTMX decisions, split form, upload with progress, accounts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huikuan.banking.models import BankAccount, Match
from huikuan.banking.services.reconciliation import reconcile
from huikuan.testing.factories import ProjectFactory, staff

from .helpers import ACCOUNT, bank_lines, clerk, outstanding, sold
from .statement_files import MARCH_1_5, csv_statement

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.banking.tests.urls")]

DOWN = [("down_payment", "首付款", date(2026, 3, 9), "300000.00")]


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    c = sold("HT-2026-0012", "张三", DOWN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "V1"),
               ("2026-03-08", "77.00", "某人", "", "", "V2"))
    reconcile()
    return c


def test_the_queue_shows_what_waits_and_filters_by_exception_kind(client, queue):
    client.force_login(clerk())
    page = client.get("/banking/review/").content.decode()
    assert "HT-2026-0012" in page and "某人" in page and "banking/review.js" in page
    rows = client.get("/banking/review/", {"kind": "unidentified"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
    html = rows.content.decode()
    assert "某人" in html and "HT-2026-0012" not in html and "<table" not in html


def test_confirming_from_the_queue_returns_the_updated_row(client, queue):
    client.force_login(clerk())
    m = Match.objects.live().get(transaction__key="V1")
    response = client.post(f"/banking/matches/{m.pk}/confirm/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-key="u"' in response.content.decode()
    assert outstanding(queue) == [D("200000.00")]
    # a second confirm is refused with the reason, and nothing changes
    again = client.post(f"/banking/matches/{m.pk}/confirm/", HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "only suggestions and exceptions" in again.content.decode()


def test_splitting_from_the_match_page(client, queue):
    client.force_login(clerk())
    m = Match.objects.live().get(transaction__key="V2")
    line = queue.receivables.get()
    page = client.get(f"/banking/matches/{m.pk}/", {"contract": "HT-2026-0012"}).content.decode()
    assert f'name="amount_{line.pk}"' in page
    response = client.post(f"/banking/matches/{m.pk}/split/", {f"amount_{line.pk}": "77.00", "note": "phone call"})
    assert response.status_code == 302
    assert outstanding(queue) == [D("299923.00")]


def test_people_without_a_finance_role_do_not_see_the_queue(client, queue):
    client.force_login(staff("sales", all_projects=True))
    assert client.get("/banking/review/").status_code == 403


def test_upload_queues_a_job_and_its_page_shows_progress(client, settings, tmp_path,
                                                        django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk("banking.import_statement"))
    upload = SimpleUploadedFile("march.csv", csv_statement(MARCH_1_5))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/banking/statements/upload/", {"account_no": ACCOUNT, "file": upload})
    assert response.status_code == 302
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in progress and "新增 3 行" in progress and "every 1s" not in progress


def test_the_accounts_page_flags_escrow_accounts_with_their_collections(client, queue):
    BankAccount.objects.filter(account_no=ACCOUNT).update(is_escrow=True, project=ProjectFactory(name="云栖"))
    client.force_login(clerk())
    page = client.get("/banking/accounts/", {"from": "2026-03-01", "to": "2026-03-31"}).content.decode()
    assert ACCOUNT in page and "云栖" in page and "100,077.00 (2)" in page


def test_the_accounts_page_shows_exceptions_and_the_sales_versus_finance_differences(client, queue, monkeypatch):
    # given the queue's two lines (a partial payment held back, an unknown payer) and lists cut at one row
    from huikuan.banking.views import AccountListView

    monkeypatch.setattr(AccountListView, "LIST_ROWS", 1)
    client.force_login(clerk())
    # when finance opens the accounts page for March, the dates given the wrong way round
    response = client.get("/banking/accounts/", {"from": "2026-03-31", "to": "2026-03-01"})
    page = response.content.decode()
    # then the period is March, each account's exceptions are listed by kind
    assert response.context["date_from"] == date(2026, 3, 1) and response.context["date_to"] == date(2026, 3, 31)
    assert [(count, amount) for _, count, amount in response.context["rows"][0][2]] == [(1, "100000.00"), (1, "77.00")]
    # the plan line still owed and the two unmatched bank lines are shown, the bank lines cut at one row
    sales = page[page.index('id="sales-vs-finance"'):]
    assert "HT-2026-0012" in sales[sales.index('id="expected-unpaid"'):]
    unmatched = sales[sales.index('id="bank-unmatched"'):sales.index("</table>", sales.index('id="bank-unmatched"'))]
    assert unmatched.count("<tr>") == 2 and "V1" in unmatched and "V2" not in unmatched  # header + first row
    # and the chart gets each part of the money in as a decimal string
    chart = response.context["chart"]
    assert chart["series"]["unidentified"] == ["77.00"] and chart["series"]["other"] == ["100000.00"]
    assert 'id="collections-data"' in page and "banking/accounts.js" in page


def test_the_accounts_chart_shows_the_accounts_with_the_most_money_in_and_says_how_many_more(client, queue,
                                                                                             monkeypatch):
    # given a second account with 500.00 in, and a chart of one bar
    from huikuan.banking.views import AccountListView

    bank_lines(("2026-03-10", "500.00", "李四", "", "", "W1"), account="6222000099990000", name="w.csv")
    monkeypatch.setattr(AccountListView, "CHART_ACCOUNTS", 1)
    client.force_login(clerk())
    # when finance opens the accounts page for March
    response = client.get("/banking/accounts/", {"from": "2026-03-01", "to": "2026-03-31"})
    # then the chart has the account with 100,077.00 in, the note says one more is in the table, which has both
    assert response.context["chart"]["accounts"] == [ACCOUNT] and response.context["chart"]["hidden"] == 1
    page = response.content.decode()
    assert 'id="chart-hidden"' in page and "6222000099990000" in page[page.index('id="account-list"'):]


def test_a_batch_transfer_is_placed_by_the_banks_list_from_its_page(client, tmp_path):
    from huikuan.mortgages.models import Bank

    from .test_reconcile_disbursements import _xlsx_list, approved_loans

    # given three approved loans and a transfer for them the engine left for a person (amounts alone, no list)
    contracts = approved_loans(Bank.objects.create(code="ABC", name="中国农业银行"))
    bank_lines(("2026-03-25", "1850000.00", "某某代理有限公司", "", "放款", "B250"))
    reconcile()
    waiting = Match.objects.live().get(transaction__bank_ref="B250")
    assert waiting.status in ("suggested", "exception")
    client.force_login(clerk())
    page = client.get(f"/banking/matches/{waiting.pk}/").content.decode()
    assert "disbursement-list-form" in page
    # when the clerk uploads something that is no list / then the page says why and nothing changes
    bad = client.post(f"/banking/matches/{waiting.pk}/disbursement-list/",
                      {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}, follow=True)
    assert "放款清单需要一行表头" in bad.content.decode() and Match.objects.live().get(pk=waiting.pk)
    # and when they upload the bank's list, the transfer is placed over the three loans
    response = client.post(f"/banking/matches/{waiting.pk}/disbursement-list/",
                           {"file": SimpleUploadedFile("list.xlsx", _xlsx_list(tmp_path / "l.xlsx").read_bytes())})
    placed = Match.objects.live().get(transaction__bank_ref="B250")
    assert response.status_code == 302 and response["Location"].endswith(f"/banking/matches/{placed.pk}/")
    assert placed.status == "auto" and [outstanding(c)[1] for c in contracts] == [D("0.00")] * 3


def test_a_small_difference_is_written_off_and_an_excess_refunded_from_the_lines_page(client):
    from huikuan.banking.services import review as reviews

    # given two buyers: one paid 5.00 short (within the tolerance), one 50.00 over; both confirmed by the clerk
    short = sold("HT-2026-0012", "张三", DOWN)
    over = sold("HT-2026-0013", "李四", [("down_payment", "首付款", date(2026, 3, 9), "200000.00")], number="0013")
    bank_lines(("2026-03-08", "299995.00", "张三", "", "HT-2026-0012", "W1"),
               ("2026-03-08", "200050.00", "李四", "", "HT-2026-0013", "W2"))
    reconcile()
    finance = clerk()
    client.force_login(finance)
    for key in ("W1", "W2"):
        reviews.confirm(actor=finance, match=Match.objects.live().get(transaction__key=key))
    m1, m2 = (Match.objects.live().get(transaction__key=key) for key in ("W1", "W2"))
    # when the clerk opens each line / then the page offers what is left to settle, and only that
    page = client.get(f"/banking/matches/{m1.pk}/").content.decode()
    assert "/write-off/" in page and "/refund-excess/" not in page
    assert "/refund-excess/" in client.get(f"/banking/matches/{m2.pk}/").content.decode()
    # and settling it leaves nothing owed, nothing on credit, and the page offers nothing more
    done = client.post(f"/banking/matches/{m1.pk}/write-off/", {"note": "bank charge"})
    assert done.status_code == 302 and done["Location"].endswith(f"/banking/matches/{m1.pk}/")
    assert outstanding(short) == [D("0.00")]
    client.post(f"/banking/matches/{m2.pk}/refund-excess/", {"note": "paid back"})
    assert reviews.settling(m2) == reviews.Settling() and outstanding(over) == [D("0.00")]
    assert 'id="settle"' not in client.get(f"/banking/matches/{m1.pk}/").content.decode()


def test_finance_sets_up_an_account_a_first_import_created(client):
    from huikuan.core.models import AuditEvent

    # given an account a first import created (no bank, no project, not escrow) and a project
    account = BankAccount.objects.create(account_no=ACCOUNT)
    project = ProjectFactory(name="云栖")
    client.force_login(clerk())
    assert f"/banking/accounts/{account.pk}/edit/" in client.get("/banking/accounts/").content.decode()
    # when finance flags it escrow without a project / then it is refused with the reason
    refused = client.post(f"/banking/accounts/{account.pk}/edit/", {"name": "云栖监管户", "is_escrow": "on"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "tied to one project" in refused.content.decode()
    # and with its project it is saved, and audited with what changed
    saved = client.post(f"/banking/accounts/{account.pk}/edit/",
                        {"name": "云栖监管户", "project": project.pk, "is_escrow": "on"})
    account.refresh_from_db()
    assert saved.status_code == 302
    assert (account.name, account.project, account.is_escrow) == ("云栖监管户", project, True)
    event = AuditEvent.objects.get(action="bank_account.changed")
    assert event.data["is_escrow"] == [False, True] and event.data["project"] == [None, project.pk]


def test_people_who_may_not_change_accounts_do_not_get_the_form(client):
    account = BankAccount.objects.create(account_no=ACCOUNT)
    client.force_login(staff("auditor", all_projects=True))
    assert client.get(f"/banking/accounts/{account.pk}/edit/").status_code == 403
    assert "/edit/" not in client.get("/banking/accounts/").content.decode()
