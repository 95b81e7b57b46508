"""年总评: the year's selection of 优秀党员示范岗 and its 表彰决定 (a notice whose source is the review)

Revision ID: d20e5f6a7b8c
Revises: d20d4e5f6a7b
Create Date: 2026-12-04 13:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd20e5f6a7b8c'
down_revision = 'd20d4e5f6a7b'
branch_labels = None
depends_on = None

ONE_SOURCE = (
    "(CASE WHEN round_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN review_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN annual_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    op.create_table(
        'annual_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_review')),
        sa.UniqueConstraint('year', name=op.f('uq_annual_review_year')),
    )
    op.create_table(
        'annual_choice',
        sa.Column('annual_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.ForeignKeyConstraint(['annual_id'], ['annual_review.id'],
                                name=op.f('fk_annual_choice_annual_id_annual_review'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_annual_choice_post_id_post')),
        sa.PrimaryKeyConstraint('annual_id', 'post_id', name=op.f('pk_annual_choice')),
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notice_one_source'), type_='check')
        batch_op.add_column(sa.Column('annual_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_notice_annual_id'), ['annual_id'])
        batch_op.create_foreign_key(batch_op.f('fk_notice_annual_id_annual_review'), 'annual_review',
                                    ['annual_id'], ['id'])
        batch_op.create_check_constraint('one_source', ONE_SOURCE)


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notice_one_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_notice_annual_id_annual_review'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_notice_annual_id'), type_='unique')
        batch_op.drop_column('annual_id')
        batch_op.create_check_constraint('one_source', '(round_id IS NULL) <> (review_id IS NULL)')
    op.drop_table('annual_choice')
    op.drop_table('annual_review')
