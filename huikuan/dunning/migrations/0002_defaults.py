from django.db import migrations


def seed(apps, schema_editor):
    from huikuan.dunning.aging import DEFAULT_BUCKETS
    from huikuan.dunning.defaults import POLICIES
    from huikuan.dunning.levels import DEFAULT_RULES

    AgingBucket = apps.get_model("dunning", "AgingBucket")
    WarningRule = apps.get_model("dunning", "WarningRule")
    DunningPolicy = apps.get_model("dunning", "DunningPolicy")
    PolicyStep = apps.get_model("dunning", "PolicyStep")
    if not AgingBucket.objects.exists():
        AgingBucket.objects.bulk_create([AgingBucket(label=b.label, min_days=b.min_days, max_days=b.max_days)
                                         for b in DEFAULT_BUCKETS])
    if not WarningRule.objects.exists():
        # rules that need a field a later migration adds are seeded by that migration (0003)
        known = {f.name for f in WarningRule._meta.get_fields()}
        WarningRule.objects.bulk_create([
            WarningRule(name=r.name, level=r.level, min_days=r.min_days, min_amount=r.min_amount,
                        kinds=sorted(r.kinds), min_risk=r.min_risk, position=i,
                        **({"min_sla_over": r.min_sla_over} if "min_sla_over" in known else {}))
            for i, r in enumerate(DEFAULT_RULES) if r.min_sla_over == 0 or "min_sla_over" in known
        ])
    if not DunningPolicy.objects.exists():
        for position, (name, kinds, segment, steps) in enumerate(POLICIES):
            policy = DunningPolicy.objects.create(name=name, kinds=kinds, segment=segment, position=position)
            PolicyStep.objects.bulk_create([
                PolicyStep(policy=policy, position=i, name=step, channel=channel, anchor=anchor, days=days,
                           business_days=business, min_level=level)
                for i, (step, channel, anchor, days, business, level) in enumerate(steps, start=1)
            ])


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
