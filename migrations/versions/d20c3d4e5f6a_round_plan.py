"""检查计划: the year's plan, and the rounds it made (plan_key: one per plan, period and unit)

Revision ID: d20c3d4e5f6a
Revises: d20b2c3d4e5f
Create Date: 2026-12-04 12:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd20c3d4e5f6a'
down_revision = 'd20b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('min_sheets', sa.Integer(), nullable=False),
        sa.Column('trim', sa.Boolean(), nullable=False),
        sa.Column('rotate', sa.Boolean(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('weekly', 'ten_day', 'monthly', 'quarterly')",
                           name=op.f('ck_round_plan_kind_planned')),
        sa.CheckConstraint("mode IN ('self', 'mutual', 'joint')", name=op.f('ck_round_plan_mode_known')),
        sa.CheckConstraint("scope IN ('all', 'hr', 'units')", name=op.f('ck_round_plan_scope_known')),
        sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_round_plan_weekday_known')),
        sa.CheckConstraint('min_sheets >= 1 AND min_sheets <= 50', name=op.f('ck_round_plan_min_sheets_sane')),
        sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from',
                           name=op.f('ck_round_plan_validity_ordered')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_plan')),
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plan_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_round_plan_key'), ['plan_key'])
        batch_op.create_foreign_key(batch_op.f('fk_round_plan_id_round_plan'), 'round_plan', ['plan_id'], ['id'])


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_round_plan_id_round_plan'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_round_plan_key'), type_='unique')
        batch_op.drop_column('plan_key')
        batch_op.drop_column('plan_id')
    op.drop_table('round_plan')
