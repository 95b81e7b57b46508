"""a real mine: its names and time zone, Party branches, units with kind/profession/closing, the member
roster (政治面貌, 工号, 入党时间, phone, closing), accounts linked to members with first-login password change
and last login, rectifications naming roster people

Revision ID: a17c0de5e7a1
Revises: f3b8d1c2a9e7
Create Date: 2026-12-03 22:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a17c0de5e7a1'
down_revision = 'f3b8d1c2a9e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mine',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('short_name', sa.String(length=32), nullable=False),
        sa.Column('committee_name', sa.String(length=128), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('base_url', sa.String(length=256), nullable=False),
        sa.Column('set_up_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_mine_single_mine')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mine')),
    )
    op.create_table(
        'party_branch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_party_branch')),
        sa.UniqueConstraint('name', name=op.f('uq_party_branch_name')),
    )
    conn = op.get_bind()
    names = [row[0] for row in conn.execute(sa.text("SELECT DISTINCT branch FROM unit ORDER BY branch"))]
    for name in names:
        conn.execute(sa.text("INSERT INTO party_branch (name) VALUES (:n)"), {"n": name})
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='team', nullable=False))
        batch_op.add_column(sa.Column('profession', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('branch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_unit_branch_id'), ['branch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unit_branch_id_party_branch'), 'party_branch', ['branch_id'], ['id'])
        batch_op.create_check_constraint('kind_known', "kind IN ('team', 'office')")
        batch_op.create_check_constraint(
            'profession_known',
            "profession = '' OR profession IN ('coal', 'tunnel', 'electro', 'transport', 'ventilation', "
            "'geology', 'safety', 'service', 'other')",
        )
    conn.execute(sa.text(
        "UPDATE unit SET branch_id = (SELECT party_branch.id FROM party_branch WHERE party_branch.name = unit.branch)"
    ))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('branch')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standing', sa.String(length=16), server_default='member', nullable=False))
        batch_op.add_column(sa.Column('staff_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('gender', sa.String(length=1), server_default='', nullable=False))
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_member_staff_no'), ['staff_no'])
    conn.execute(sa.text(
        "UPDATE member SET standing = CASE WHEN party_role = '预备党员' THEN 'probationary' "
        "WHEN party_member THEN 'member' ELSE 'other' END"
    ))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'standing_known', "standing IN ('member', 'probationary', 'activist', 'other')"
        )
        batch_op.create_check_constraint(
            'party_member_from_standing', "party_member = (standing IN ('member', 'probationary'))"
        )
        batch_op.create_check_constraint('gender_known', "gender IN ('', 'm', 'f')")

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_member_id_member'), 'member', ['member_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_member_id'), ['member_id'])

    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsible_member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checker_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_rectification_responsible_member_id_member'), 'member', ['responsible_member_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_rectification_checker_user_id_user_account'), 'user_account', ['checker_user_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rectification_checker_user_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rectification_responsible_member_id_member'), type_='foreignkey')
        batch_op.drop_column('checker_user_id')
        batch_op.drop_column('responsible_member_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_member_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_user_account_member_id_member'), type_='foreignkey')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('member_id')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_constraint('gender_known', type_='check')
        batch_op.drop_constraint('party_member_from_standing', type_='check')
        batch_op.drop_constraint('standing_known', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_member_staff_no'), type_='unique')
        for column in ('closed_on', 'phone', 'joined_on', 'gender', 'staff_no', 'standing'):
            batch_op.drop_column(column)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('branch', sa.String(length=64), server_default='', nullable=False))
    op.get_bind().execute(sa.text(
        "UPDATE unit SET branch = COALESCE((SELECT name FROM party_branch WHERE party_branch.id = unit.branch_id), '')"
    ))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('profession_known', type_='check')
        batch_op.drop_constraint('kind_known', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_unit_branch_id_party_branch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit_branch_id'))
        for column in ('closed_on', 'branch_id', 'profession', 'kind'):
            batch_op.drop_column(column)
    op.drop_table('party_branch')
    op.drop_table('mine')
