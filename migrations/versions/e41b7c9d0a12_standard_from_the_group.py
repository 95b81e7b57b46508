"""a standard may be the group's: published by the group administrator (group mode, issue 23)

Revision ID: e41b7c9d0a12
Revises: d23a1b2c3d4e
Create Date: 2026-12-04 23:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e41b7c9d0a12'
down_revision = 'd23a1b2c3d4e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_standard_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('group_version', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_standard_group_standard_id'), ['group_standard_id'])


def downgrade():
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_standard_group_standard_id'), type_='unique')
        batch_op.drop_column('group_version')
        batch_op.drop_column('group_standard_id')
