"""Account numbers stored as `canonical_account_no` writes them (BankAccount.save does from now on), so that one
account typed with spaces or dashes is not a second account. Numbers that would become another account's are left
as they are (merging accounts is a person's decision)."""

from django.db import migrations

from huikuan.banking.account_numbers import canonical_account_no


def canonicalise(apps, schema_editor):
    BankAccount = apps.get_model("banking", "BankAccount")
    ImportJob = apps.get_model("banking", "ImportJob")
    taken = set(BankAccount.objects.values_list("account_no", flat=True))
    for account in BankAccount.objects.all():
        number = canonical_account_no(account.account_no)
        if number != account.account_no and number not in taken:
            taken.discard(account.account_no)
            taken.add(number)
            ImportJob.objects.filter(account_no=account.account_no).update(account_no=number)
            account.account_no = number
            account.save(update_fields=["account_no"])


class Migration(migrations.Migration):
    dependencies = [("banking", "0001_initial")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
