"""Drop the five indexes whose column leads a unique key already (sheet.round_id, sheet_item.sheet_id,
standard_item.version_id, ballot_card.round_id, notify_message.channel_id): the unique key's index answers the
same lookups, and every sheet of the shift-change storm wrote them for nothing (issue 22)

Revision ID: d23a1b2c3d4e
Revises: d22a1b2c3d4e
Create Date: 2026-12-04 21:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd23a1b2c3d4e'
down_revision = 'd22a1b2c3d4e'
branch_labels = None
depends_on = None

COVERED = (
    ("sheet", "round_id"),
    ("sheet_item", "sheet_id"),
    ("standard_item", "version_id"),
    ("ballot_card", "round_id"),
    ("notify_message", "channel_id"),
)


def upgrade():
    for table, column in COVERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


def downgrade():
    for table, column in COVERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
