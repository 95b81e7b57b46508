"""工作台: each account's last desk view, and where "since your last visit" counts from

Revision ID: c19d4e5f6a7b
Revises: b18e2f7c4a90
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c19d4e5f6a7b'
down_revision = 'b18e2f7c4a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('desk_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('desk_since', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('desk_since')
        batch_op.drop_column('desk_seen_at')
