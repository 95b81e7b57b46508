"""session version on accounts: logout ends every copy of a session or remember cookie

Revision ID: f3b8d1c2a9e7
Revises: e7a1c3b5d2f4
Create Date: 2026-12-03 21:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f3b8d1c2a9e7'
down_revision = 'e7a1c3b5d2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')
