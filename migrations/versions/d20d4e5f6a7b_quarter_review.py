"""季讲评: the quarter's review record and its decisions; notices may come from a review (and say what
honours were revoked)

Revision ID: d20d4e5f6a7b
Revises: d20c3d4e5f6a
Create Date: 2026-12-04 12:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd20d4e5f6a7b'
down_revision = 'd20c3d4e5f6a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quarter_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=True),
        sa.Column('attendance', sa.Text(), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.CheckConstraint('quarter >= 1 AND quarter <= 4', name=op.f('ck_quarter_review_quarter_known')),
        sa.CheckConstraint("status IN ('draft', 'closed')", name=op.f('ck_quarter_review_status_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quarter_review')),
        sa.UniqueConstraint('year', 'quarter', name=op.f('uq_quarter_review_year_quarter')),
    )
    op.create_table(
        'quarter_decision',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('warning', sa.String(length=16), nullable=False),
        sa.CheckConstraint("decision IN ('keep', 'warn', 'revoke')", name=op.f('ck_quarter_decision_decision_known')),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_quarter_decision_post_id_post')),
        sa.ForeignKeyConstraint(['review_id'], ['quarter_review.id'],
                                name=op.f('fk_quarter_decision_review_id_quarter_review'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('review_id', 'post_id', name=op.f('pk_quarter_decision')),
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revocation', sa.Text(), server_default='', nullable=False))
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_notice_review_id'), ['review_id'])
        batch_op.create_foreign_key(batch_op.f('fk_notice_review_id_quarter_review'), 'quarter_review',
                                    ['review_id'], ['id'])
        batch_op.create_check_constraint('one_source', '(round_id IS NULL) <> (review_id IS NULL)')


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notice_one_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_notice_review_id_quarter_review'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_notice_review_id'), type_='unique')
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('revocation')
        batch_op.drop_column('review_id')
    op.drop_table('quarter_decision')
    op.drop_table('quarter_review')
