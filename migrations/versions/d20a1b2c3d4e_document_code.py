"""公文: the committee's 发文机关代字 for document numbers (矿党发〔2026〕3号)

Revision ID: d20a1b2c3d4e
Revises: c19d4e5f6a7b
Create Date: 2026-12-04 12:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd20a1b2c3d4e'
down_revision = 'c19d4e5f6a7b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mine', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_code', sa.String(length=16), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('mine', schema=None) as batch_op:
        batch_op.drop_column('doc_code')
