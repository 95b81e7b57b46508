"""互查: which units sign which units' posts in a mutual round

Revision ID: d20b2c3d4e5f
Revises: d20a1b2c3d4e
Create Date: 2026-12-04 12:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd20b2c3d4e5f'
down_revision = 'd20a1b2c3d4e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_pairing',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('inspected_unit_id', sa.Integer(), nullable=False),
        sa.Column('inspecting_unit_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('inspecting_unit_id <> inspected_unit_id', name=op.f('ck_round_pairing_not_self')),
        sa.ForeignKeyConstraint(['inspected_unit_id'], ['unit.id'],
                                name=op.f('fk_round_pairing_inspected_unit_id_unit')),
        sa.ForeignKeyConstraint(['inspecting_unit_id'], ['unit.id'],
                                name=op.f('fk_round_pairing_inspecting_unit_id_unit')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_pairing_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'inspected_unit_id', 'inspecting_unit_id',
                                name=op.f('pk_round_pairing')),
    )


def downgrade():
    op.drop_table('round_pairing')
