"""anonymous sheets keyed by round first, replay receipts; random feedback ids

Anonymous sheet tables get keys that start with the round (round_id, post_id, nullifier[, …]) so sealing can
rewrite one round in key order; anon_sheet gets the replay receipt; the separate round/post indexes go (the
key serves them). Existing rows are copied over in key order. Feedback ids become random 16-digit numbers.

Revision ID: e7a1c3b5d2f4
Revises: d9ce6f29845f
Create Date: 2026-12-03 19:40:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = 'e7a1c3b5d2f4'
down_revision = 'd9ce6f29845f'
branch_labels = None
depends_on = None

Points = sa.Numeric(precision=6, scale=2)
SHEET_FK = (['round_id', 'post_id', 'nullifier'],
            ['anon_sheet.round_id', 'anon_sheet.post_id', 'anon_sheet.nullifier'])


def _hold_old_rows():
    for table in ('anon_sheet', 'anon_sheet_item', 'anon_sheet_photo'):
        op.execute(f'CREATE TABLE hold_{table} AS SELECT * FROM {table}')
    op.drop_table('anon_sheet_photo')
    op.drop_table('anon_sheet_item')
    with op.batch_alter_table('anon_sheet', schema=None) as batch_op:
        batch_op.drop_index('ix_anon_sheet_round_id')
        batch_op.drop_index('ix_anon_sheet_post_id')
    op.drop_table('anon_sheet')


def _drop_held():
    for table in ('anon_sheet', 'anon_sheet_item', 'anon_sheet_photo'):
        op.execute(f'DROP TABLE hold_{table}')


def upgrade():
    _hold_old_rows()
    op.create_table('anon_sheet',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('standard_version_id', sa.Integer(), nullable=False),
    sa.Column('deducted', Points, nullable=False),
    sa.Column('score', Points, nullable=False),
    sa.Column('vetoed', sa.Boolean(), nullable=False),
    sa.Column('receipt', sa.LargeBinary(length=32), nullable=True),
    sa.CheckConstraint('deducted >= 0', name=op.f('ck_anon_sheet_deducted_not_negative')),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_anon_sheet_score_in_range')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_anon_sheet_post_id_post')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_anon_sheet_round_id_round')),
    sa.ForeignKeyConstraint(['standard_version_id'], ['standard_version.id'], name=op.f('fk_anon_sheet_standard_version_id_standard_version')),
    sa.PrimaryKeyConstraint('round_id', 'post_id', 'nullifier', name=op.f('pk_anon_sheet')),
    sqlite_with_rowid=False
    )
    op.create_table('anon_sheet_item',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('defects', sa.Integer(), nullable=True),
    sa.Column('deduction', Points, nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.CheckConstraint('deduction >= 0', name=op.f('ck_anon_sheet_item_deduction_not_negative')),
    sa.CheckConstraint('defects IS NULL OR defects >= 0', name=op.f('ck_anon_sheet_item_defects_not_negative')),
    sa.ForeignKeyConstraint(*SHEET_FK, name='fk_anon_sheet_item_sheet', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_anon_sheet_item_item_id_standard_item')),
    sa.PrimaryKeyConstraint('round_id', 'post_id', 'nullifier', 'item_id', name=op.f('pk_anon_sheet_item')),
    sqlite_with_rowid=False
    )
    op.create_table('anon_sheet_photo',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(*SHEET_FK, name='fk_anon_sheet_photo_sheet', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_anon_sheet_photo_item_id_standard_item')),
    sa.PrimaryKeyConstraint('round_id', 'post_id', 'nullifier', 'sha256', name=op.f('pk_anon_sheet_photo')),
    sqlite_with_rowid=False
    )
    op.execute(
        'INSERT INTO anon_sheet (round_id, post_id, nullifier, standard_version_id, deducted, score, vetoed)'
        ' SELECT round_id, post_id, nullifier, standard_version_id, deducted, score, vetoed'
        ' FROM hold_anon_sheet ORDER BY round_id, post_id, nullifier'
    )
    op.execute(
        'INSERT INTO anon_sheet_item (round_id, post_id, nullifier, item_id, defects, deduction, remark)'
        ' SELECT s.round_id, s.post_id, i.nullifier, i.item_id, i.defects, i.deduction, i.remark'
        ' FROM hold_anon_sheet_item i JOIN hold_anon_sheet s ON s.nullifier = i.nullifier'
        ' ORDER BY s.round_id, s.post_id, i.nullifier, i.item_id'
    )
    op.execute(
        'INSERT INTO anon_sheet_photo (round_id, post_id, nullifier, sha256, item_id, width, height)'
        ' SELECT s.round_id, s.post_id, p.nullifier, p.sha256, p.item_id, p.width, p.height'
        ' FROM hold_anon_sheet_photo p JOIN hold_anon_sheet s ON s.nullifier = p.nullifier'
        ' ORDER BY s.round_id, s.post_id, p.nullifier, p.sha256'
    )
    _drop_held()
    _random_feedback_ids()


def _random_feedback_ids():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE feedback ALTER COLUMN id DROP DEFAULT')
        op.execute('DROP SEQUENCE IF EXISTS feedback_id_seq')
        op.execute('ALTER TABLE feedback ALTER COLUMN id TYPE BIGINT')
    for (old,) in bind.execute(sa.text('SELECT id FROM feedback')).all():
        new = (1 << 52) | secrets.randbits(52)
        bind.execute(sa.text('UPDATE feedback SET id = :new WHERE id = :old'), {'new': new, 'old': old})


def downgrade():
    # feedback keeps its random ids (they fit the old column on SQLite; PostgreSQL keeps BIGINT)
    _hold_old_rows_new()
    op.create_table('anon_sheet',
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('standard_version_id', sa.Integer(), nullable=False),
    sa.Column('deducted', Points, nullable=False),
    sa.Column('score', Points, nullable=False),
    sa.Column('vetoed', sa.Boolean(), nullable=False),
    sa.CheckConstraint('deducted >= 0', name=op.f('ck_anon_sheet_deducted_not_negative')),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_anon_sheet_score_in_range')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_anon_sheet_post_id_post')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_anon_sheet_round_id_round')),
    sa.ForeignKeyConstraint(['standard_version_id'], ['standard_version.id'], name=op.f('fk_anon_sheet_standard_version_id_standard_version')),
    sa.PrimaryKeyConstraint('nullifier', name=op.f('pk_anon_sheet')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('anon_sheet', schema=None) as batch_op:
        batch_op.create_index('ix_anon_sheet_post_id', ['post_id'], unique=False)
        batch_op.create_index('ix_anon_sheet_round_id', ['round_id'], unique=False)
    op.create_table('anon_sheet_item',
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('defects', sa.Integer(), nullable=True),
    sa.Column('deduction', Points, nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_anon_sheet_item_item_id_standard_item')),
    sa.ForeignKeyConstraint(['nullifier'], ['anon_sheet.nullifier'], name=op.f('fk_anon_sheet_item_nullifier_anon_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nullifier', 'item_id', name=op.f('pk_anon_sheet_item')),
    sqlite_with_rowid=False
    )
    op.create_table('anon_sheet_photo',
    sa.Column('nullifier', sa.LargeBinary(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_anon_sheet_photo_item_id_standard_item')),
    sa.ForeignKeyConstraint(['nullifier'], ['anon_sheet.nullifier'], name=op.f('fk_anon_sheet_photo_nullifier_anon_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nullifier', 'sha256', name=op.f('pk_anon_sheet_photo')),
    sqlite_with_rowid=False
    )
    op.execute(
        'INSERT INTO anon_sheet SELECT nullifier, round_id, post_id, standard_version_id, deducted, score, vetoed'
        ' FROM hold_anon_sheet'
    )
    op.execute(
        'INSERT INTO anon_sheet_item SELECT nullifier, item_id, defects, deduction, remark FROM hold_anon_sheet_item'
    )
    op.execute(
        'INSERT INTO anon_sheet_photo SELECT nullifier, sha256, item_id, width, height FROM hold_anon_sheet_photo'
    )
    _drop_held()


def _hold_old_rows_new():
    for table in ('anon_sheet', 'anon_sheet_item', 'anon_sheet_photo'):
        op.execute(f'CREATE TABLE hold_{table} AS SELECT * FROM {table}')
    op.drop_table('anon_sheet_photo')
    op.drop_table('anon_sheet_item')
    op.drop_table('anon_sheet')
