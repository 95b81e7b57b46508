"""score sheets at full size: items with requirement (项目), inspection method (检查方法) and scoring text
(评分办法), several deduction rules per item (standard_rule), any total; sheet lines keep a count per rule

Revision ID: b18e2f7c4a90
Revises: a17c0de5e7a1
Create Date: 2026-12-04 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b18e2f7c4a90'
down_revision = 'a17c0de5e7a1'
branch_labels = None
depends_on = None

POINTS = sa.Numeric(6, 2, asdecimal=True)


def upgrade():
    op.create_table(
        'standard_rule',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('amount', POINTS, nullable=True),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(kind IN ('each', 'missing') AND amount > 0) OR (kind IN ('whole', 'veto') AND amount IS NULL)",
            name=op.f('ck_standard_rule_amount_fits_kind'),
        ),
        sa.CheckConstraint("kind IN ('each', 'missing', 'whole', 'veto')", name=op.f('ck_standard_rule_kind_known')),
        sa.CheckConstraint('position >= 1', name=op.f('ck_standard_rule_position_positive')),
        sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_standard_rule_item_id_standard_item'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'position', name=op.f('pk_standard_rule')),
    )
    conn = op.get_bind()
    # each existing line had one rule: so much per defect, or a veto (which carried no points)
    conn.execute(sa.text(
        "INSERT INTO standard_rule (item_id, position, kind, amount, label) "
        "SELECT id, 1, 'veto', NULL, '取消评审资格' FROM standard_item WHERE veto"
    ))
    items = conn.execute(sa.text("SELECT id, deduction FROM standard_item WHERE NOT veto")).all()
    for item_id, amount in items:
        text = f"{amount:f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        conn.execute(
            sa.text("INSERT INTO standard_rule (item_id, position, kind, amount, label) "
                    "VALUES (:i, 1, 'each', :a, :l)"),
            {"i": item_id, "a": amount, "l": f"每处扣{text}分"},
        )
    with op.batch_alter_table('standard_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_standard_item_points_sane'), type_='check')
        batch_op.drop_constraint(op.f('ck_standard_item_max_points_at_most_100'), type_='check')
        batch_op.alter_column('rule', new_column_name='scoring', existing_type=sa.Text(), existing_nullable=False)
        batch_op.add_column(sa.Column('requirement', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('method', sa.String(length=200), nullable=False, server_default=''))
        batch_op.drop_column('deduction')
        batch_op.drop_column('veto')
        batch_op.create_check_constraint(op.f('ck_standard_item_max_points_not_negative'), 'max_points >= 0')
    with op.batch_alter_table('standard_item', schema=None) as batch_op:
        batch_op.alter_column('requirement', server_default=None, existing_type=sa.Text(), existing_nullable=False)
        batch_op.alter_column('method', server_default=None, existing_type=sa.String(length=200),
                              existing_nullable=False)
    for table in ('sheet_item', 'anon_sheet_item'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('counts', sa.JSON(), nullable=True))
        if conn.dialect.name == 'postgresql':
            conn.execute(sa.text(
                f"UPDATE {table} SET counts = json_build_array(defects) WHERE defects IS NOT NULL"))
        else:
            conn.execute(sa.text(
                f"UPDATE {table} SET counts = '[' || defects || ']' WHERE defects IS NOT NULL"))


def downgrade():
    for table in ('sheet_item', 'anon_sheet_item'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('counts')
    with op.batch_alter_table('standard_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_standard_item_max_points_not_negative'), type_='check')
        batch_op.add_column(sa.Column('deduction', POINTS, nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('veto', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_column('method')
        batch_op.drop_column('requirement')
        batch_op.alter_column('scoring', new_column_name='rule', existing_type=sa.Text(), existing_nullable=False)
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE standard_item SET veto = TRUE WHERE id IN "
        "(SELECT item_id FROM standard_rule WHERE kind = 'veto')"
    ))
    conn.execute(sa.text(
        "UPDATE standard_item SET deduction = COALESCE((SELECT MIN(amount) FROM standard_rule r "
        "WHERE r.item_id = standard_item.id AND r.kind IN ('each', 'missing')), 0)"
    ))
    op.drop_table('standard_rule')
