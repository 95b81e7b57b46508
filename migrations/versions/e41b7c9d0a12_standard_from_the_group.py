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
    op.create_table(
        'standard_from_group',
        sa.Column('standard_id', sa.Integer(), nullable=False),
        sa.Column('group_standard_id', sa.Integer(), nullable=False),
        sa.Column('group_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['standard_id'], ['standard.id'],
                                name=op.f('fk_standard_from_group_standard_id_standard')),
        sa.PrimaryKeyConstraint('standard_id', name=op.f('pk_standard_from_group')),
        sa.UniqueConstraint('group_standard_id', name=op.f('uq_standard_from_group_group_standard_id')),
    )


def downgrade():
    op.drop_table('standard_from_group')
