"""The usual documents banks ask for, as generic templates (every bank); banks' own templates are
added in the admin and take precedence for the same document."""

from django.db import migrations

TEMPLATES = [
    # (kind, name, loan_kind ("" = every kind), position)
    ("id_card", "身份证件（购房人及共有人）", "", 10),
    ("household", "户口本", "", 20),
    ("marriage", "婚姻证明（结婚证 / 离婚证及协议 / 单身声明）", "", 30),
    ("income_proof", "收入证明", "", 40),
    ("bank_statements", "银行流水（近6个月）", "", 50),
    ("credit_report", "个人征信报告", "", 60),
    ("purchase_qualification", "购房资格证明", "", 70),
    ("down_payment_receipt", "首付款收据", "", 80),
    ("provident_record", "公积金缴存证明", "provident", 90),
]


def seed(apps, schema_editor):
    DocumentTemplate = apps.get_model("mortgages", "DocumentTemplate")
    for kind, name, loan_kind, position in TEMPLATES:
        DocumentTemplate.objects.get_or_create(bank=None, kind=kind, loan_kind=loan_kind,
                                               defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    DocumentTemplate = apps.get_model("mortgages", "DocumentTemplate")
    DocumentTemplate.objects.filter(bank=None, name__in=[t[1] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("mortgages", "0002_loan_pipeline")]
    operations = [migrations.RunPython(seed, unseed)]
