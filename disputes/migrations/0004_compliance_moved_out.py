# Penalty evidence, penalised findings, rebate rules and proposals moved to the ``compliance``
# app (``compliance/migrations/0001_initial.py``). Their tables stay where they are
# (``db_table`` keeps the ``disputes_`` names): this only forgets them in ``disputes``' state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0003_random_upload_names'),
        ('compliance', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='findingpenalty',
                    name='finding',
                ),
                migrations.RemoveField(
                    model_name='findingpenalty',
                    name='penalty',
                ),
                migrations.RemoveField(
                    model_name='penaltyevidence',
                    name='penalty',
                ),
                migrations.RemoveField(
                    model_name='proposedrebate',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='proposedrebate',
                    name='reseller',
                ),
                migrations.RemoveField(
                    model_name='proposedrebate',
                    name='reward',
                ),
                migrations.RemoveField(
                    model_name='proposedrebate',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='proposedrebate',
                    name='supplier',
                ),
                migrations.RemoveField(
                    model_name='rebaterule',
                    name='reseller',
                ),
                migrations.RemoveField(
                    model_name='rebaterule',
                    name='supplier',
                ),
                migrations.DeleteModel(
                    name='FindingReview',
                ),
                migrations.DeleteModel(
                    name='Violation',
                ),
                migrations.DeleteModel(
                    name='FindingPenalty',
                ),
                migrations.DeleteModel(
                    name='PenaltyEvidence',
                ),
                migrations.DeleteModel(
                    name='ProposedRebate',
                ),
                migrations.DeleteModel(
                    name='RebateRule',
                ),
            ],
        ),
    ]
